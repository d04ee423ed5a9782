// "Start again" after the app's session ended: reload the page, which starts a new app process.
document.getElementById("restart").addEventListener("click", () => window.location.reload());
