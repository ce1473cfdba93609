"""The `/wechat` door (views.py): verify, read, answer, reply.

The blueprint is imported from views.py by the app factory; importing it here would tie this
package to wechat_bot.runtime, which imports the webhook's parts.
"""
