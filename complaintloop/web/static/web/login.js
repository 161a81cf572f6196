// Login page: "换一张" draws a new picture challenge without reloading the form (the
// link itself reloads the page when scripts are off).
document.addEventListener("DOMContentLoaded", () => {
  const link = document.getElementById("captcha-refresh");
  const image = document.getElementById("captcha-image");
  if (!link || !image) return;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    image.src = `${image.dataset.src}?r=${Date.now()}`;
    const input = document.getElementById("id_captcha");
    if (input) {
      input.value = "";
      input.focus();
    }
  });
});
