"""Background work: the job table, the job functions, and the runners that call them.

The database row is the truth; a runner (the embedded thread pool, or Celery workers in the
distributed mode) only carries a job's id to a function that does the work.
"""
