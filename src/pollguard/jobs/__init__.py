"""Background jobs on Celery: the job row, its progress and the worker (design.md section 4)."""
