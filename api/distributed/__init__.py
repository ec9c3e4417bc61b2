"""Planning jobs on several processes and machines: leases in the database, Celery workers, the sweeper.

The database stays the record of truth (docs/deployment.md): the broker only
says "look at job N"; whether it runs, who runs it and what came of it is in
the job row, changed by conditional updates only.
"""
