"""The web app: server-rendered pages for the people who are not API clients (issue 26)."""
