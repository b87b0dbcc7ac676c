"""The audit service: the scheduler, its jobs and run history, structured service logs and mail delivery."""
