"""What every layer may report without knowing who reads it: the request a piece of work belongs
to (`telemetry.requests`) and the Prometheus metrics (`telemetry.metrics`).

It imports nothing of ours, so the webhook, the scheduler's delivery and the features can all
use it (DESIGN.md, who knows whom); how logs are written and who may read `/metrics` is decided
above, in `wechat_bot.observability`.
"""
