"""Data protection (个人信息保护法, issue 25): 我的数据 (an export of everything held about a person)
and 注销 (unbind and erase what they provided), their retention job, and their bot commands.

Each feature exports and erases its own rows (`handlers/<feature>/personal_data.py`);
`export` and `erase` here call them in order and add what is no feature's: the WeChat user itself,
the message log and the pushes. docs/privacy.md says what is exported, erased and kept, and why.
This module imports nothing, so `handlers.settings` may import the settings below it.
"""
