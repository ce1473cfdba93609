"""How a feature tells particular people something: a notification through the push outbox.

Features below this floor cannot import the outbox's caller-facing wiring, so each door (the
webhook's dispatcher, the API) hands this function in (it lives with the outbox, where the
scheduler's jobs reach it too) as the feature's `notify`
(handlers.notices.Notify). The feature names who caused the push (`created_by`), as staff see it.
"""

from scheduler.outbox import notify_users

__all__ = ["notify_users"]
