"""Consent (issue 20 item 7): the push categories and each alumnus's opt-outs.

`categories` names them; `preferences` records a choice (with its time and door) and gives the
SQL that leaves the opted-out out of a push; `bot` answers 退订 / 订阅. The API
(`wechat_bot/api/consents.py`) and the admin page (`wechat_bot/admin/consent.py`) call the same
functions; the outbox (`scheduler/outbox.py`) applies `opted_out_users`.
"""
