"""The synthetic alumni roster: fictitious, realistic, the same for a seed (SPEC section 9).

A tool, not a feature: `alumni-bot gen-roster` and the demo's seed (wechat_bot/seed.py) write it,
the benchmarks and the tests read it, the bot never does. It ships with the app, beside the CLI
and the demo that use it; `roster` writes it, drawing from `pools`, built from the tables in
`data`.
"""
