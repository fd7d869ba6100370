"""The organization's side of drs-reprotect: the names members and the hub share, and the hub's two
functions (`handlers.collect` for each member report, `handlers.send_digest` once a day).

A member sends each run's report to the hub's event bus (`reprotect.hub`); a rule there invokes
`collect`, which forwards it to the organization's topic and keeps what the digest needs in a table;
`send_digest` reads that table and publishes one digest for the whole organization.
"""
