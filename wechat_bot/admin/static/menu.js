// The phone preview: a tap on a bar button opens its sub-menu and closes the others, as in WeChat.
document.querySelectorAll(".phone").forEach((phone) => {
  phone.querySelectorAll(".menu-item .top").forEach((button) => {
    button.addEventListener("click", () => {
      const item = button.parentElement;
      const opening = !item.classList.contains("open");
      phone.querySelectorAll(".menu-item").forEach((other) => {
        other.classList.remove("open");
        other.querySelector(".top").setAttribute("aria-expanded", "false");
      });
      if (opening && item.querySelector(".popup")) {
        item.classList.add("open");
        button.setAttribute("aria-expanded", "true");
      }
    });
  });
});

// Syncing changes what every follower sees: ask once.
const syncForm = document.getElementById("sync-form");
if (syncForm) {
  syncForm.addEventListener("submit", (event) => {
    if (!window.confirm("把 menus/ 中的菜单同步到微信？所有关注者看到的菜单都会随之改变。")) {
      event.preventDefault();
    }
  });
}
