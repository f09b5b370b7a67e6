// My caseload drawn from what the phone keeps, and the list of contacts not sent yet. Built
// with DOM calls and textContent only: nothing kept on the phone is ever parsed as HTML.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function daysAgo(isoDay, today = new Date()) {
  if (!isoDay) return "";
  const [y, m, d] = isoDay.split("-").map(Number);
  const then = Date.UTC(y, m - 1, d);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  const days = Math.round((now - then) / 86400000);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days ago`;
}

// "5 Dec", and whether a due date has passed or is today, as the page with a signal says it.
export function dueWords(isoDay, today = new Date()) {
  const [y, m, d] = isoDay.split("-").map(Number);
  const label = new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  const days = Math.round(
    (Date.UTC(y, m - 1, d) - Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) /
      86400000,
  );
  return { label, state: days < 0 ? "overdue" : days === 0 ? "due today" : "" };
}

// An appointment's time as My caseload shows it ("Fri 5 Dec, 14:30"): the wall-clock time the
// server gave, whatever the phone's time zone.
export function appointmentWhen(iso) {
  const wall = new Date(`${iso.slice(0, 16)}:00Z`);
  const day = wall.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  return `${day.replace(",", "")}, ${iso.slice(11, 16)}`;
}

function localDay(today) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
}

// The kept appointments as My caseload groups them: today's, and the rest of the week (days
// already past when the phone is opened are left out).
export function appointmentWeek(appointments, today = new Date()) {
  const day = localDay(today);
  const soonest = [...appointments].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return {
    today: soonest.filter((a) => a.starts_at.slice(0, 10) === day),
    later: soonest.filter((a) => a.starts_at.slice(0, 10) > day),
  };
}

// Whether "did not attend" can be recorded: as with a signal, only once it has started.
export const hasStarted = (appointment, now = new Date()) => Date.parse(appointment.starts_at) <= now.getTime();

// The contact form's answers for an appointment that happened, as its page fills them in:
// when (its start, or now if that is earlier), how, how long and where.
export function attendedAnswers(appointment, now = localNow()) {
  const starts = appointment.starts_at.slice(0, 16);
  const answers = [
    ["kind", appointment.kind],
    ["occurred_at", starts < now ? starts : now],
    ["summary", `Appointment at ${appointment.place}. `],
  ];
  if (appointment.ends_at) {
    const minutes = Math.floor((Date.parse(appointment.ends_at) - Date.parse(appointment.starts_at)) / 60000);
    answers.push(["duration_minutes", String(minutes)]);
  }
  return answers;
}

const OUTCOME_WORDS = { attended: "Attended", "not-attended": "Did not attend" };

// One appointment line, as My caseload shows it, with what can be recorded without a signal:
// `onAttend(appointment, line)` opens the contact form, `onMissed(appointment)` queues
// "did not attend". `waiting` is the entry queued for it, if any.
export function appointmentLine(appointment, person, waiting, { onAttend, onMissed, now = new Date() }) {
  const name = person?.name || "";
  const line = el(
    "li",
    { class: "mb-2 text-break appointment", id: `appointment-${appointment.id.replace(/-/g, "")}` },
    el("strong", {}, appointmentWhen(appointment.starts_at)),
    ` · ${name}`,
    el("span", { class: "d-block small text-body-secondary" }, `${appointment.kind_label} · ${appointment.place}`),
  );
  if (waiting) {
    line.append(
      el(
        "span",
        { class: "d-block mt-1 waiting-entry" },
        el("span", { class: "badge text-bg-secondary me-1" }, "Waiting to send"),
        OUTCOME_WORDS[waiting.kind] || "",
      ),
    );
    return line;
  }
  const attend = el(
    "button",
    { type: "button", class: "btn btn-outline-primary btn-sm mt-1 me-2" },
    "It happened: log contact",
    el("span", { class: "visually-hidden" }, ` with ${name}`),
  );
  attend.addEventListener("click", () => onAttend(appointment, line));
  const actions = el("div", { class: "d-flex flex-wrap" }, attend);
  if (hasStarted(appointment, now)) {
    const missed = el(
      "button",
      { type: "button", class: "btn btn-outline-secondary btn-sm mt-1" },
      "Did not attend",
      el("span", { class: "visually-hidden" }, ` (${name}, ${appointmentWhen(appointment.starts_at)})`),
    );
    missed.addEventListener("click", () => onMissed(appointment));
    actions.append(missed);
  }
  line.append(actions);
  return line;
}

// The "My appointments" card's content: headings and lines, or that none are booked.
export function appointmentsList(appointments, people, waiting, handlers, today = new Date()) {
  const week = appointmentWeek(appointments, today);
  const byId = new Map(people.map((p) => [p.id, p]));
  const lines = (list) =>
    el(
      "ul",
      { class: "list-unstyled mb-2" },
      ...list.map((a) => appointmentLine(a, byId.get(a.person), waiting(a.id), { ...handlers, now: today })),
    );
  const nodes = [];
  if (week.today.length) nodes.push(el("h3", { class: "h6 mb-1" }, "Today"), lines(week.today));
  if (week.later.length) nodes.push(el("h3", { class: "h6 mb-1" }, "This week"), lines(week.later));
  if (!nodes.length) nodes.push(el("p", { class: "mb-2" }, "None booked for the next seven days."));
  return nodes;
}

function field(entry, name) {
  const pair = (entry.fields || []).find(([key]) => key === name);
  return pair ? pair[1] : "";
}

function waitingItem(entry) {
  return el(
    "li",
    { class: "waiting-entry mt-2" },
    el("span", { class: "badge text-bg-secondary me-1" }, "Waiting to send"),
    field(entry, "summary"),
  );
}

// One row, as My caseload shows it. `onLog(person, row)` opens the contact form in it.
export function caseloadRow(person, waiting, { onLog }) {
  const heading = el("div", {}, el("h2", { class: "h5 mb-1" }, person.name));
  if (person.paused) heading.append(el("span", { class: "badge text-bg-warning me-1" }, "Paused"));
  for (const flag of person.flags) {
    heading.append(el("span", { class: "badge text-bg-danger me-1" }, flag));
  }
  const log = el(
    "button",
    { type: "button", class: "btn btn-primary btn-touch" },
    "Log contact",
    el("span", { class: "visually-hidden" }, ` with ${person.name}`),
  );
  const last = el("li", { class: "last-contact" }, "Last contact: ");
  if (person.last_contact_on) {
    last.append(el("strong", {}, daysAgo(person.last_contact_on)), ` · ${person.last_contact_kind.toLowerCase()}`);
  } else {
    last.append(el("strong", {}, "none yet"));
  }
  if (person.last_attempt_on) {
    last.append(el("br"), el("span", { class: "text-body-secondary" }, `Tried to reach them ${daysAgo(person.last_attempt_on)}.`));
  }
  const next = el("li", { class: "next-action" }, "Next action: ");
  if (person.next_action) {
    next.append(person.next_action);
    if (person.next_action_due) {
      const due = dueWords(person.next_action_due);
      next.append(` · due ${due.label}`);
      if (due.state) {
        const colour = due.state === "overdue" ? "text-bg-danger" : "text-bg-warning";
        next.append(" ", el("span", { class: `badge ${colour}` }, due.state));
      }
    }
  } else {
    next.append(el("span", { class: "text-body-secondary" }, "none planned"));
  }
  const body = el(
    "div",
    { class: "card-body" },
    el("div", { class: "d-flex flex-wrap justify-content-between align-items-start gap-2" }, heading, log),
    el("ul", { class: "list-unstyled mb-0 mt-2 caseload-facts" }, last, next),
  );
  if (waiting.length) {
    body.append(el("ul", { class: "list-unstyled mb-0 waiting-list" }, ...waiting.map(waitingItem)));
  }
  const row = el("li", { class: "card mb-3 caseload-row", id: `row-${person.id.replace(/-/g, "")}` }, body);
  log.addEventListener("click", () => onLog(person, row));
  return row;
}

// A contact the server refused, with why and what was typed. `resend` and `discard` act on it.
function entryTitle(entry) {
  if (entry.kind === "attended") return `Appointment on ${appointmentWhen(entry.when)} with ${entry.name}: attended`;
  if (entry.kind === "not-attended") return `Appointment on ${appointmentWhen(entry.when)} with ${entry.name}: did not attend`;
  return `Contact with ${entry.name}`;
}

export function unsentItem(entry, { resend, discard }) {
  const errors = Object.values(entry.refusal?.errors || {}).flat();
  const missed = entry.kind === "not-attended";
  const item = el(
    "li",
    { class: "card mb-3 unsent-entry border-danger", "data-entry": entry.id },
    el(
      "div",
      { class: "card-body" },
      el("h3", { class: "h6" }, el("span", { class: "badge text-bg-danger me-1" }, "Not sent"), entryTitle(entry)),
      el("p", { class: "mb-1" }, entry.refusal?.message || "The server refused it."),
      errors.length ? el("ul", { class: "mb-1" }, ...errors.map((e) => el("li", {}, e))) : null,
      missed ? null : el("p", { class: "mb-2" }, "What you typed: ", el("q", { class: "typed" }, field(entry, "summary"))),
    ),
  );
  const body = item.firstChild;
  const again = el("button", { type: "button", class: "btn btn-primary btn-sm me-2" }, missed ? "Send again" : "Change and send again");
  const drop = el("button", { type: "button", class: "btn btn-outline-danger btn-sm" }, "Discard");
  again.addEventListener("click", () => resend(entry, body));
  drop.addEventListener("click", () => discard(entry));
  body.append(el("div", { class: "d-flex flex-wrap gap-2" }, again, drop));
  return item;
}

// The contacts waiting (online page only; offline they show on their rows) and refused.
export function queueList(entries, { withWaiting, resend, discard }) {
  const items = [];
  for (const entry of entries) {
    if (entry.state === "unsent") items.push(unsentItem(entry, { resend, discard }));
    else if (withWaiting) {
      items.push(
        el(
          "li",
          { class: "card mb-3 waiting-entry" },
          el(
            "div",
            { class: "card-body" },
            el("span", { class: "badge text-bg-secondary me-1" }, "Waiting to send"),
            entry.kind === "not-attended" ? entryTitle(entry) : `${entryTitle(entry)}: `,
            entry.kind === "not-attended" ? null : field(entry, "summary"),
          ),
        ),
      );
    }
  }
  return items;
}

function fill(form, fields) {
  for (const [name, value] of fields) {
    const control = form.elements[name];
    if (!control) continue;
    const options = control instanceof RadioNodeList ? [...control] : [control];
    for (const option of options) {
      if (option.type === "checkbox" || option.type === "radio") {
        if (option.type === "radio" || option.value === value) option.checked = option.value === value;
      } else {
        option.value = value;
      }
    }
  }
}

function localNow() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

// The contact form from the page's template, for `person`, filled with `entry`'s answers when
// sending again, with the server's reasons above it. `submit(form)` and `cancel()`.
// `prefill` ([[name, value]...]) fills it in; `when` (an appointment's start) makes it the form
// for that appointment, attended.
export function contactForm(template, person, { entry = null, prefill = null, when = null, submit, cancel }) {
  const holder = template.content.firstElementChild.cloneNode(true);
  const form = holder.querySelector("form");
  holder.querySelector("[data-name]").textContent = person.name;
  if (when) {
    holder.querySelector("h3").textContent = `Log the appointment with ${person.name} (${appointmentWhen(when)}) as a contact`;
    holder.querySelector(".form-text").textContent =
      "No signal: it waits on this phone and is sent by itself when the signal returns; then the contact is logged and the appointment marked attended.";
  }
  const withPerson = form.querySelector('input[name="with_person"]');
  const withLabel = withPerson && form.querySelector(`label[for="${withPerson.id}"]`);
  if (withLabel) withLabel.textContent = `With ${person.short_name || person.name}`;
  form.elements.submission_key.value = crypto.randomUUID();
  form.elements.occurred_at.value = localNow();
  if (prefill) fill(form, prefill);
  if (entry) {
    for (const input of form.querySelectorAll("input[type=checkbox], input[type=radio]")) {
      input.checked = false;
    }
    fill(form, entry.fields);
    const errors = Object.values(entry.refusal?.errors || {}).flat();
    const summary = el(
      "div",
      { class: "alert alert-danger", tabindex: "-1" },
      el("p", { class: "mb-1 fw-semibold" }, entry.refusal?.message || "Not sent."),
      errors.length ? el("ul", { class: "mb-0" }, ...errors.map((e) => el("li", {}, e))) : null,
    );
    form.prepend(summary);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (form.reportValidity()) submit(form);
  });
  const cancelLink = [...form.querySelectorAll("a")].find((a) => a.textContent.trim() === "Cancel");
  cancelLink?.addEventListener("click", (event) => {
    event.preventDefault();
    cancel();
  });
  return holder;
}
