from wechat_bot.cli import main

main()
