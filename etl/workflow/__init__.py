"""People and their work: accounts, sessions, submissions, review, deadlines."""
