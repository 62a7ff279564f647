# Workload (c) as a pyinfra deploy: one step looping over 100 items on each host (100 lines of one
# file). pyinfra loops in Python: each item is an operation of its own.
from pyinfra import host
from pyinfra.operations import files

for item in range(1, 101):
    files.line(
        name="feature flags",
        path=f"{host.data.root}/pyinfra/flags.conf",
        line=f"^flag{item}=.*$",
        replace=f"flag{item}=on",
    )
