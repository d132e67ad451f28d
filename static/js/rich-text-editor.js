/* The editors' long texts in the admin: the rich-text editor of django-prose-editor (Tiptap).
   core/rich_text_fields.py renders a plain text area with data attributes: the address of the
   editor's module (a static file of the site), the extensions to start (exactly the subset
   core/rich_text.py keeps), the help about typing HTML and the one that replaces it.
   Without this file the text area stays as it is and its help about typing HTML still applies.

   Unlike the package's own starter, this one needs nothing inline under the CSP: the module is
   imported by its address (no import map) and Tiptap does not inject its <style> element (its
   few rules are in css/rich-text-editor.css). The toolbar's labels go through the admin's
   JavaScript catalogue (window.gettext, French labels in locale/fr/LC_MESSAGES/djangojs.po). */

const SELECTOR = "textarea[data-rich-text-editor]";
const gettext = window.gettext || ((text) => text);
let editorModule = null;

function loadEditor(address) {
  editorModule = editorModule || import(address);
  return editorModule;
}

function extensionsFrom(module, textarea) {
  const extensions = [];
  for (const [name, options] of Object.entries(JSON.parse(textarea.dataset.richTextExtensions))) {
    const extension = module[name];
    if (extension) {
      extensions.push(typeof options === "object" ? extension.configure(options) : extension);
    }
  }
  return extensions;
}

function labelOf(textarea) {
  const label = document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
  if (label && !label.id) {
    label.id = `${textarea.id}_label`;
  }
  return label;
}

// In a tabular inline (the formulas of the mutuelle offer) the field has no <label>: its
// column's heading names it.
function headingOf(textarea) {
  const cell = textarea.closest("td");
  const column = cell && [...cell.classList].find((name) => name.startsWith("field-"));
  return column ? cell.closest("table").querySelector(`th.column-${CSS.escape(column.slice(6))}`) : null;
}

function nameOf(textarea) {
  const label = labelOf(textarea);
  const heading = label ? null : headingOf(textarea);
  return (label ? label.textContent : heading ? heading.textContent : "").trim().replace(/\s*:$/, "");
}

// The buttons that stay pressed while their formatting applies (the others act once).
const TOGGLES = new Set(["bold", "italic", "bulletList", "orderedList"]);

function editorAttributes(textarea) {
  const label = labelOf(textarea);
  const help = document.getElementById(`${textarea.id}_helptext`);
  const attributes = { "aria-multiline": "true" };
  if (label) {
    attributes["aria-labelledby"] = label.id;
  } else if (nameOf(textarea)) {
    attributes["aria-label"] = nameOf(textarea);
  }
  if (help) {
    attributes["aria-describedby"] = help.id;
  }
  return attributes;
}

function withEditorHelp(text, textarea) {
  // The editor makes HTML unnecessary: the help about typing it gives way to the buttons'
  // (a field's own advice, « En mots simples… », stays).
  const typing = textarea.dataset.richTextHelpWithout;
  return text.includes(typing)
    ? text.replace(typing, textarea.dataset.richTextHelp)
    : `${text.trim()} ${textarea.dataset.richTextHelp}`;
}

function describeHelp(textarea) {
  if (!textarea.dataset.richTextHelp) {
    return;
  }
  const help = document.getElementById(`${textarea.id}_helptext`);
  if (help) {
    const text = help.firstElementChild || help;
    text.textContent = withEditorHelp(text.textContent, textarea);
    return;
  }
  // A tabular inline gives the help once, as the tooltip of its column's heading.
  const heading = headingOf(textarea);
  const icon = heading && heading.querySelector("img.help-tooltip");
  if (icon && !icon.dataset.richTextHelp) {
    icon.dataset.richTextHelp = "1";
    icon.title = withEditorHelp(icon.title, textarea);
    icon.alt = `(${icon.title})`;
  }
}

function describeMenu(editor, textarea, wrapper) {
  const menu = wrapper.querySelector(".prose-menubar");
  if (menu) {
    const name = gettext("Formatting");
    const field = nameOf(textarea);
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", field ? `${name} : ${field}` : name);
  }
  const buttons = [...wrapper.querySelectorAll(".prose-menubar__button")];
  for (const button of buttons) {
    const name = gettext(button.getAttribute("aria-label") || button.title);
    button.title = name;
    button.setAttribute("aria-label", name);
    // The icon's ligature (« format_bold ») is a name for the font, not a word to translate.
    button.setAttribute("translate", "no");
  }
  const states = () => {
    for (const button of buttons) {
      button.setAttribute("aria-disabled", String(button.classList.contains("disabled")));
      if (TOGGLES.has(button.dataset.name)) {
        button.setAttribute("aria-pressed", String(button.classList.contains("active")));
      }
    }
  };
  states();
  editor.on("transaction", states);
}

async function start(textarea) {
  if (textarea.id.includes("__prefix__") || textarea.closest(".prose-editor")) {
    return;
  }
  const module = await loadEditor(textarea.dataset.richTextEditor);
  const wrapper = document.createElement("div");
  wrapper.className = "prose-editor";
  textarea.before(wrapper);
  wrapper.append(textarea);
  const editor = new module.Editor({
    element: wrapper,
    extensions: extensionsFrom(module, textarea),
    content: textarea.value,
    injectCSS: false,
    editorProps: { attributes: editorAttributes(textarea) },
    onUpdate({ editor: current }) {
      const html = current.getHTML();
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  describeHelp(textarea);
  // The menu extension adds its bar once the editor is created (Tiptap's « create » event).
  editor.on("create", () => describeMenu(editor, textarea, wrapper));
}

function startAll(root) {
  for (const textarea of root.querySelectorAll(SELECTOR)) {
    start(textarea).catch((error) => console.error("Éditeur de texte :", error));
  }
}

startAll(document);
// A row added to an inline (a formula of the mutuelle offer) gets its editor too.
document.addEventListener("formset:added", (event) => startAll(event.target));
