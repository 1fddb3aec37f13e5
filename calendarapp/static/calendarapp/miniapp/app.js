// Calendar Bot's Mini App: month, week and list views of one person's calendar, and a form.
// Plain DOM code, no framework. Every text a person typed is set with textContent, never
// parsed as HTML. The server checks Telegram's initData on every request.
"use strict";

(function () {
  const tg = window.Telegram && window.Telegram.WebApp;
  const CATALOG = JSON.parse(document.getElementById("texts").textContent);
  const initData = (tg && tg.initData) || "";
  let T = CATALOG[navigator.language && navigator.language.startsWith("en") ? "en" : "ru"];

  const state = { me: null, view: "month", cursor: null, selected: null, entries: [] };
  const $ = (id) => document.getElementById(id);

  // --- dates as "YYYY-MM-DD" strings, computed in UTC so the device's zone never shifts a day
  const parse = (iso) => {
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d));
  };
  const iso = (date) => date.toISOString().slice(0, 10);
  const addDays = (day, n) => {
    const date = parse(day);
    date.setUTCDate(date.getUTCDate() + n);
    return iso(date);
  };
  const monday = (day) => addDays(day, -((parse(day).getUTCDay() + 6) % 7));
  const firstOfMonth = (day) => day.slice(0, 8) + "01";
  const addMonths = (day, n) => {
    const date = parse(firstOfMonth(day));
    date.setUTCMonth(date.getUTCMonth() + n);
    return iso(date);
  };
  const longDate = (day) => {
    const date = parse(day);
    const weekday = T.weekdays.split(" ")[(date.getUTCDay() + 6) % 7];
    return `${weekday}, ${day.slice(8, 10)}.${day.slice(5, 7)}.${day.slice(0, 4)}`;
  };
  const monthTitle = (day) =>
    `${T.months.split(" ")[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function say(text) {
    $("status").textContent = text || "";
  }

  // --- the server
  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          Authorization: `tma ${initData}`,
          Accept: "application/json",
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (_network) {
      const error = new Error(T.offline);
      error.status = 0;
      error.data = {};
      throw error;
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.detail || response.statusText);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  function explain(error) {
    if (error.status === 0) return T.offline;
    if (error.data.code === "not_registered") return T.press_start;
    if (error.data.code === "init_data_expired") return T.expired;
    if (error.status === 401) return T.open_in_telegram;
    return T.failed.replace("{reason}", T[`error_${error.data.code}`] || error.message);
  }

  // --- Telegram's look: its theme colours, its back and main buttons where they exist
  function applyTheme() {
    const params = (tg && tg.themeParams) || {};
    for (const [key, value] of Object.entries(params)) {
      document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
    document.documentElement.dataset.scheme = (tg && tg.colorScheme) || "light";
  }

  const backButton = tg && tg.BackButton;
  const mainButton = tg && tg.MainButton;
  let mainAction = null;
  function useMainButton(text, action) {
    if (!mainButton) return;
    if (mainAction) mainButton.offClick(mainAction);
    mainAction = action;
    if (action) {
      mainButton.setText(text);
      mainButton.onClick(action);
      mainButton.show();
    } else {
      mainButton.hide();
    }
  }

  // --- the sheet: an event's details, the form, a confirmation
  let returnFocus = null;
  function openSheet(...content) {
    returnFocus = returnFocus || document.activeElement;
    const body = $("sheet-body");
    body.replaceChildren(...content);
    $("sheet").hidden = false;
    if (backButton) backButton.show();
    const first = body.querySelector("input, textarea, select, button");
    if (first) first.focus();
  }
  function closeSheet() {
    $("sheet").hidden = true;
    $("sheet-body").replaceChildren();
    useMainButton(null, null);
    if (backButton) backButton.hide();
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }
  if (backButton) backButton.onClick(closeSheet);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("sheet").hidden) closeSheet();
  });

  // --- views
  function entryButton(entry) {
    const label = entry.kind === "meeting" ? T.meeting : entry.is_public ? T.public : "";
    return el(
      "button",
      { type: "button", class: "entry", "data-kind": entry.kind, onclick: () => showEntry(entry) },
      el("span", { class: "entry-time", text: entry.time }),
      el("span", { class: "entry-name", text: entry.name || T.meeting }),
      // A series' occurrence, marked as the bot's lists mark it; the label says it aloud.
      entry.repeats
        ? el("span", {
            class: "repeats",
            role: "img",
            "aria-label": T.repeats,
            title: T.repeats,
            text: "🔁",
          })
        : null,
      label ? el("span", { class: "badge", text: label }) : null,
    );
  }

  function dayList(day, entries, emptyText) {
    const items = entries.filter((entry) => entry.date === day);
    return el(
      "section",
      { class: "day", "data-day": day },
      el("h2", { text: longDate(day) }),
      items.length
        ? el("ul", {}, ...items.map((entry) => el("li", {}, entryButton(entry))))
        : el("p", { class: "muted", text: emptyText }),
    );
  }

  function pager(title, step) {
    return el(
      "div",
      { class: "pager" },
      el("button", { type: "button", "aria-label": T.previous, text: "‹", onclick: () => step(-1) }),
      el("h1", { id: "view-title", text: title }),
      el("button", { type: "button", "aria-label": T.next, text: "›", onclick: () => step(1) }),
      el("button", {
        type: "button",
        class: "link",
        text: T.today,
        onclick: () => {
          state.cursor = state.me.today;
          state.selected = state.me.today;
          render();
        },
      }),
    );
  }

  async function load(start, end) {
    const data = await api("GET", `/app/api/calendar?start=${start}&end=${end}`);
    state.entries = data.entries;
    return data.entries;
  }

  async function renderMonth() {
    const first = firstOfMonth(state.cursor);
    const start = monday(first);
    const end = addDays(start, 41);
    const entries = await load(start, end);
    const counts = {};
    for (const entry of entries) counts[entry.date] = (counts[entry.date] || 0) + 1;
    const grid = el(
      "div",
      { class: "grid", role: "grid", "aria-labelledby": "view-title" },
      ...T.weekdays.split(" ").map((name) => el("div", { class: "weekday", role: "columnheader", text: name })),
    );
    for (let i = 0; i < 42; i += 1) {
      const day = addDays(start, i);
      const count = counts[day] || 0;
      const classes = ["cell"];
      if (day.slice(0, 7) !== first.slice(0, 7)) classes.push("outside");
      if (day === state.me.today) classes.push("today");
      if (day === state.selected) classes.push("selected");
      grid.append(
        el(
          "button",
          {
            type: "button",
            class: classes.join(" "),
            role: "gridcell",
            "data-day": day,
            "aria-label": `${longDate(day)}${count ? `: ${count}` : ""}`,
            "aria-pressed": day === state.selected ? "true" : "false",
            onclick: () => {
              state.selected = day;
              render();
            },
          },
          el("span", { class: "number", text: String(Number(day.slice(8))) }),
          count ? el("span", { class: "marker", text: count > 9 ? "9+" : String(count) }) : null,
        ),
      );
    }
    const step = (n) => {
      state.cursor = addMonths(state.cursor, n);
      state.selected = null;
      render();
    };
    const selected = state.selected && state.selected >= start && state.selected <= end;
    return [
      pager(monthTitle(first), step),
      grid,
      selected ? dayList(state.selected, entries, T.no_events) : null,
    ];
  }

  async function renderWeek() {
    const start = monday(state.cursor);
    const end = addDays(start, 6);
    const entries = await load(start, end);
    const step = (n) => {
      state.cursor = addDays(start, 7 * n);
      render();
    };
    const days = [];
    for (let i = 0; i < 7; i += 1) days.push(dayList(addDays(start, i), entries, T.no_events));
    const title = `${start.slice(8)}.${start.slice(5, 7)} – ${end.slice(8)}.${end.slice(5, 7)}.${end.slice(0, 4)}`;
    return [pager(title, step), ...days];
  }

  async function renderAgenda() {
    const start = state.me.today;
    const end = addDays(start, 60);
    const entries = await load(start, end);
    const days = [...new Set(entries.map((entry) => entry.date))];
    return [
      el("h1", { id: "view-title", text: T.agenda }),
      ...(days.length
        ? days.map((day) => dayList(day, entries, T.no_events))
        : [el("p", { class: "muted", text: T.no_upcoming })]),
    ];
  }

  const VIEWS = { month: renderMonth, week: renderWeek, agenda: renderAgenda };

  async function render() {
    for (const tab of document.querySelectorAll("[data-view]")) {
      tab.setAttribute("aria-selected", tab.dataset.view === state.view ? "true" : "false");
    }
    const view = $("view");
    view.setAttribute("aria-busy", "true");
    try {
      const parts = await VIEWS[state.view]();
      view.replaceChildren(...parts.filter(Boolean));
      view.dataset.shown = state.view; // what is on screen now (the tabs change first)
      say("");
    } catch (error) {
      say(explain(error));
    } finally {
      view.setAttribute("aria-busy", "false");
    }
  }

  // --- an entry's details
  function reminderLabel(minutes) {
    const found = T.reminders.find(([value]) => value === minutes);
    return found ? found[1] : "";
  }

  async function showEntry(entry) {
    if (entry.kind !== "event") { // a meeting, or another person's event answered «Иду»: read only
      openSheet(
        el("h2", { id: "sheet-title", text: entry.name || T.meeting }),
        el("p", { text: `${longDate(entry.date)}, ${entry.time}` }),
        el("p", { class: "badge", text: T.meeting }),
        el("div", { class: "actions" }, el("button", { type: "button", text: T.close, onclick: closeSheet })),
      );
      return;
    }
    try {
      showEvent(await api("GET", `/app/api/events/${entry.id}`));
    } catch (error) {
      say(explain(error));
    }
  }

  function showEvent(event) {
    const facts = [
      el("h2", { id: "sheet-title", text: event.name }),
      el("p", { class: "when", text: `${longDate(event.date)}, ${event.time}` }),
      event.details ? el("p", { class: "details", text: event.details }) : null,
      el("p", { class: "badge", text: event.is_public ? T.public : T.private }),
    ];
    if (!event.can_edit) {
      openSheet(
        ...facts,
        el("p", { text: `${T.organiser}: ${event.organiser} (${event.timezone})` }),
        el("p", { class: "muted", text: T.read_only }),
        el("div", { class: "actions" }, el("button", { type: "button", text: T.close, onclick: closeSheet })),
      );
      return;
    }
    const guests = event.guests.length
      ? el(
          "ul",
          { class: "guests" },
          ...event.guests.map((guest) =>
            el("li", { text: `${guest.name} — ${T[`status_${guest.status}`] || guest.status}` }),
          ),
        )
      : el("p", { class: "muted", text: T.no_guests });
    openSheet(
      ...facts,
      event.reminder_minutes !== undefined ? el("p", { text: `${T.reminder}: ${reminderLabel(event.reminder_minutes)}` }) : null,
      event.capacity ? el("p", { id: "capacity", text: `${T.capacity}: ${event.capacity}` }) : null,
      event.rsvp_closed ? el("p", { class: "badge", id: "rsvp-closed", text: T.rsvp_closed }) : null,
      el("h3", { text: T.guests }),
      guests,
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", id: "edit", text: T.edit, onclick: () => showForm(event) }),
        el("button", {
          type: "button",
          id: "visibility",
          text: event.is_public ? T.make_private : T.make_public,
          onclick: () => change(event, { is_public: !event.is_public }),
        }),
        el("button", { type: "button", id: "delete", class: "danger", text: T.delete, onclick: () => confirmDelete(event) }),
        el("button", { type: "button", text: T.close, onclick: closeSheet }),
      ),
    );
  }

  async function change(event, fields) {
    try {
      const updated = await api("PATCH", `/app/api/events/${event.id}`, fields);
      await render();
      say(T.saved);
      showEvent(updated);
    } catch (error) {
      say(explain(error));
    }
  }

  function confirmDelete(event) {
    openSheet(
      el("h2", { id: "sheet-title", text: T.delete_confirm.replace("{name}", event.name) }),
      el(
        "div",
        { class: "actions" },
        el("button", {
          type: "button",
          id: "delete-confirm",
          class: "danger",
          text: T.delete,
          onclick: async () => {
            try {
              await api("DELETE", `/app/api/events/${event.id}`);
              closeSheet();
              await render();
              say(T.deleted);
            } catch (error) {
              say(explain(error));
            }
          },
        }),
        el("button", { type: "button", text: T.cancel, onclick: () => showEvent(event) }),
      ),
    );
  }

  // --- the form: create, or edit an own event
  function field(name, label, control) {
    control.id = `field-${name}`;
    control.name = name;
    control.setAttribute("aria-describedby", `error-${name}`);
    return el(
      "div",
      { class: "field" },
      el("label", { for: control.id, text: label }),
      control,
      el("p", { class: "error", id: `error-${name}`, "data-field": name }),
    );
  }

  function showForm(event) {
    const editing = Boolean(event);
    const reminder = el(
      "select",
      {},
      ...T.reminders.map(([minutes, label]) =>
        el("option", { value: minutes === null ? "" : String(minutes), text: label }),
      ),
    );
    const form = el(
      "form",
      { novalidate: true, id: "event-form" },
      el("h2", { id: "sheet-title", text: editing ? T.edit : T.new_event }),
      field("name", T.name, el("input", { type: "text", autocomplete: "off", value: editing ? event.name : "" })),
      field("date", T.date, el("input", { type: "date", value: editing ? event.date : state.selected || state.me.today })),
      field("time", T.time, el("input", { type: "time", value: editing ? event.time : "" })),
      field("details", T.details, el("textarea", { rows: "3" })),
      field("reminder_minutes", T.reminder, reminder),
      el(
        "div",
        { class: "field checkbox" },
        el("input", { type: "checkbox", id: "field-is_public", name: "is_public" }),
        el("label", { for: "field-is_public", text: T.visibility }),
      ),
      // Answers to the event's cards: the organiser's own events only (the edit form).
      editing
        ? field("capacity", T.capacity, el("input", { type: "number", min: "1", step: "1", inputmode: "numeric", placeholder: T.capacity_hint }))
        : null,
      editing
        ? el(
            "div",
            { class: "field checkbox" },
            el("input", { type: "checkbox", id: "field-rsvp_closed", name: "rsvp_closed" }),
            el("label", { for: "field-rsvp_closed", text: T.rsvp_closed }),
          )
        : null,
      el("p", { class: "error", id: "error-form", "data-field": "form" }),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "submit", id: "save", class: "primary", text: T.save }),
        el("button", { type: "button", text: T.cancel, onclick: () => (editing ? showEvent(event) : closeSheet()) }),
      ),
    );
    form.elements.details.value = editing ? event.details : "";
    if (editing) {
      reminder.value = event.reminder_minutes === null ? "" : String(event.reminder_minutes);
      form.elements.is_public.checked = event.is_public;
      form.elements.capacity.value = event.capacity === null ? "" : String(event.capacity);
      form.elements.rsvp_closed.checked = event.rsvp_closed;
    } else {
      const usual = state.me.default_reminder_minutes;  // the person's /settings choice
      reminder.value = usual === null ? "" : String(usual);
    }
    const submit = async (domEvent) => {
      if (domEvent) domEvent.preventDefault();
      for (const node of form.querySelectorAll(".error")) node.textContent = "";
      const body = {
        name: form.elements.name.value,
        date: form.elements.date.value,
        time: form.elements.time.value,
        details: form.elements.details.value,
        reminder_minutes: reminder.value === "" ? null : Number(reminder.value),
        is_public: form.elements.is_public.checked,
      };
      if (editing) {
        const seats = form.elements.capacity;
        if (seats.validity.badInput) {
          // Not a number at all: the field's value reads as empty, which would lift the limit.
          showErrors(form, { data: { errors: { capacity: [] } } });
          return;
        }
        // As typed: the server refuses what is not a whole number in range, next to the field.
        body.capacity = seats.value === "" ? null : seats.value;
        body.rsvp_closed = form.elements.rsvp_closed.checked;
      }
      try {
        const saved = editing
          ? await api("PATCH", `/app/api/events/${event.id}`, body)
          : await api("POST", "/app/api/events", body);
        state.cursor = saved.date;
        state.selected = saved.date;
        await render();
        say(T.saved);
        showEvent(saved);
      } catch (error) {
        showErrors(form, error);
      }
    };
    form.addEventListener("submit", submit);
    openSheet(form);
    useMainButton(T.save, submit);
  }

  function showErrors(form, error) {
    const data = error.data || {};
    const put = (name, text) => {
      const node = form.querySelector(`.error[data-field="${name}"]`) || form.querySelector('.error[data-field="form"]');
      node.textContent = text;
    };
    if (data.field) {
      put(data.field, T[`error_${data.code}`] || data.detail);
    } else if (data.errors && typeof data.errors === "object") {
      for (const name of Object.keys(data.errors)) put(name, T.error_invalid);
    } else {
      put("form", explain(error));
    }
    const first = [...form.querySelectorAll(".error")].find((node) => node.textContent);
    if (first) {
      const control = form.querySelector(`[aria-describedby="${first.id}"]`);
      if (control) control.focus();
    }
  }

  // --- start
  async function start() {
    applyTheme();
    if (tg && tg.onEvent) tg.onEvent("themeChanged", applyTheme);
    if (!initData) {
      say(T.open_in_telegram);
      return;
    }
    try {
      state.me = await api("GET", "/app/api/me");
    } catch (error) {
      say(explain(error));
      return;
    }
    T = CATALOG[state.me.language] || T;
    document.documentElement.lang = state.me.language;
    document.title = T.title;
    for (const tab of document.querySelectorAll("[data-view]")) {
      tab.textContent = T[tab.dataset.view];
      tab.addEventListener("click", () => {
        state.view = tab.dataset.view;
        render();
      });
    }
    const add = $("add");
    add.hidden = false;
    add.setAttribute("aria-label", T.new_event);
    add.addEventListener("click", () => showForm(null));
    state.cursor = state.me.today;
    state.selected = state.me.today;
    if (tg && tg.ready) tg.ready();
    if (tg && tg.expand) tg.expand();
    await render();
    // The bot's «Открыть в календаре» names the event: /app/?event=<id>.
    const wanted = new URLSearchParams(window.location.search).get("event");
    if (wanted && /^[0-9]{1,18}$/.test(wanted)) await showEntry({ kind: "event", id: wanted });
  }

  start();
})();
