// 当日安排's 打印 button (the CSP allows no inline script, so it is wired here).
document.getElementById("print")?.addEventListener("click", () => window.print());
