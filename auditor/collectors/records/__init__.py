"""Company-record collectors: the people directory (CSV or Google Workspace), vault exports with Pwned Passwords range lookups, and the approved-content register."""
