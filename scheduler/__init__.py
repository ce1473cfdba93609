"""Work that happens on a clock rather than in a request: the scheduler and push delivery.

`app` runs APScheduler (jobs stored in the database) only in the process holding the Redis leader
lock (`leader`); `jobs` holds the jobs and `scheduled_jobs`, the registry of what runs when. The
push outbox (`outbox`, `audiences`, `progress`) and its delivery (`delivery`, with `sending`,
`answers`, `row_writes`, `claims`, `channels`, `sender`, `ratelimit`) send what features queue.
Nothing here imports wechat_bot: the composition root hands in the WeChat client and registers
the features' own push audiences.
"""
