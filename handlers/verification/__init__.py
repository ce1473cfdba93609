"""人工核验: an alumnus whom 绑定 cannot match asks staff to verify them by hand (issue 20 item 5)."""
