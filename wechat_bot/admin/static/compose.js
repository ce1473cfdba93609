// The broadcast composer: shows the parts of the chosen message kind and the audience, and the
// live recipient count and channel mix from the count endpoint (data-count-url) as staff choose.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) return;
  var countUrl = form.getAttribute("data-count-url");
  var timer = null;

  function checked(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }

  function showParts() {
    var kind = checked("kind");
    form.querySelectorAll(".kind-part").forEach(function (part) {
      part.hidden = part.getAttribute("data-kind") !== kind;
    });
    form.querySelector(".segment").hidden = checked("target") !== "segment";
    var at = document.getElementById("at");
    if (at) at.closest(".field").hidden = checked("when") !== "at";
  }

  function refreshCount() {
    var params = new URLSearchParams();
    ["kind", "target", "years", "college", "city", "chapter", "circle", "category"].forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      var value = field.length && !field.tagName ? checked(name) : field.value;
      params.set(name, value);
    });
    fetch(countUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        var count = document.getElementById("recipient-count");
        var label = document.getElementById("recipient-label");
        var mix = document.getElementById("channel-mix");
        if (p.error) {
          count.textContent = "—"; label.textContent = p.error; mix.textContent = "";
          return;
        }
        count.textContent = p.count.toLocaleString("zh-CN");
        label.textContent = p.label;
        mix.textContent = p.mass ? "群发：微信发给每位关注者"
          : "模板消息 " + p.template + " · 客服消息 " + p.custom + " · 订阅消息 " + p.subscribe
            + " · 无法送达 " + p.unreachable;
      });
  }

  form.addEventListener("input", function () {
    showParts();
    clearTimeout(timer);
    timer = setTimeout(refreshCount, 300);
  });
  form.addEventListener("change", function () { showParts(); });
  showParts();
  refreshCount();
})();
