from django.db import models


class ScheduledJob(models.Model):
    """When each periodic job next runs; the conditional UPDATE on it is the scheduler's lock."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerBeat(models.Model):
    """A task worker's heartbeat: who is alive, where, on which queues.

    Written by `inviteflow worker` every WORKER_BEAT_SECONDS on both task backends. A worker
    silent for WORKER_DEAD_AFTER_SECONDS is dead: its running tasks are failed and retried,
    and `inviteflow status` shows it as gone.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    backend = models.CharField(max_length=10)
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"
