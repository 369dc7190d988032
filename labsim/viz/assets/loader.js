// labsim panel loader (the widget's _esm). The panel's script and style are sent by the kernel
// once per page: the first panel asks for them, every later panel reuses the loaded module.
const VERSION = "__LABSIM_VERSION__";

function load(model) {
  const all = (globalThis.__labsimPanel = globalThis.__labsimPanel || {});
  if (!all[VERSION]) {
    all[VERSION] = new Promise((resolve, reject) => {
      const timer = setTimeout(() => { delete all[VERSION]; reject(new Error("the kernel did not send the panel")); }, 30000);
      const onMessage = (msg) => {
        if (!msg || msg.type !== "code" || msg.v !== VERSION) { return; }
        model.off("msg:custom", onMessage);
        clearTimeout(timer);
        const style = document.createElement("style");
        style.id = "labsim-panel-style-" + VERSION;
        style.textContent = msg.css;
        document.head.appendChild(style);
        const url = URL.createObjectURL(new Blob([msg.code], { type: "text/javascript" }));
        import(/* webpackIgnore: true */ url).then((mod) => { URL.revokeObjectURL(url); resolve(mod); }, reject);
      };
      model.on("msg:custom", onMessage);
      model.send({ type: "need_code" });
    });
  }
  return all[VERSION];
}

export default {
  async render({ model, el }) {
    el.classList.add("labsim-panel");
    el.textContent = "loading the panel\u2026";
    let mod;
    try { mod = await load(model); } catch (err) { el.textContent = "The panel could not load: " + err.message; return; }
    el.textContent = "";
    return mod.render({ model, el });
  },
};
