"""Staff accounts and what the admin page is built on: who may log in (`accounts`), what each
role may see (`scope`), what was done (`audit`), the dashboard's counts (`dashboard`), and the
`[admin]` settings (`settings`). No Flask here: the admin door (wechat_bot.admin) and the CLI
call these with a session and plain values."""
