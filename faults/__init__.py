"""`make faults`: the deadline held whatever hangs (a dependency that accepts and never answers, DRS too
slow, 5xx and 429 storms with AWS_MAX_ATTEMPTS at its maximum), measured on the real handler.

Each case runs the handler once, in a fresh interpreter with a Lambda budget of 30 or 60 s, against the
DRS emulator and moto with the fault applied, and reports how many seconds were left when the
invocation returned or failed. A case passes when at least 5 s were left (the function's promise,
deadline.py). It prints a table and exits 1 if a case did not keep its spare time.

- `faults.cases`: the cases, as data;
- `faults.dependencies`: a server that accepts and never answers, and a proxy that hangs after N requests;
- `faults.child`: the measured program (`python -m faults.child`);
- `faults.__main__`: runs every case concurrently (they mostly wait) and prints the table.
"""
