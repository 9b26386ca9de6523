from django.db import models


class ScheduledJob(models.Model):
    """When each periodic job next runs; the conditional UPDATE on it is the scheduler's lock."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
