"""Platform collectors: X, Meta (Facebook pages and Instagram), LinkedIn, YouTube, GitHub, Mastodon and Bluesky."""
