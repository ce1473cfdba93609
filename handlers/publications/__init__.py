"""The school's publications library (校园新闻, 校报, 校友通讯, 校史): what staff keep in the admin
page, and what features offer from it (the reunion's pre-visit news cards; issue 24's 新闻)."""
