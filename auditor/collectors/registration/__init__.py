"""Registration-data collectors: RDAP first, WHOIS through python-whois as the fallback, and the Public Suffix List."""
