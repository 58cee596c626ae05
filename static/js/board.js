// The pipeline board: drag a card onto another column to move it. Progressive enhancement only —
// each card's own form (select a stage, optional note, submit) works without this file, and a drop
// simply fills that form and submits it, so the server checks the move exactly as it does for a click.
(() => {
  const board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  let dragged = null;

  const targetsOf = (card) => (card.dataset.targets || "").split(" ").filter(Boolean);
  const columns = () => board.querySelectorAll(".board-column[data-stage]");

  // A move that needs a note (back, hold, drop, reopen): ask for the note in the card's form
  // instead of submitting a move the server will refuse.
  const noteRequired = (select) => {
    const option = select.selectedOptions[0];
    return Boolean(option && option.dataset.needsNote);
  };

  board.querySelectorAll("[data-move-form]").forEach((form) => {
    const select = form.querySelector("select[name=stage]");
    const note = form.querySelector("input[name=note]");
    select.addEventListener("change", () => {
      note.required = noteRequired(select);
    });
    const card = form.closest(".board-card");
    card.setAttribute("draggable", "true");
  });

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.companyId);
    const targets = targetsOf(card);
    columns().forEach((column) => {
      column.classList.toggle("is-drop-target", targets.includes(column.dataset.stage));
    });
  });

  board.addEventListener("dragend", () => {
    if (dragged) {
      dragged.classList.remove("is-dragging");
    }
    dragged = null;
    columns().forEach((column) => column.classList.remove("is-drop-target", "is-drop-hover"));
  });

  const allowedColumn = (event) => {
    const column = event.target.closest && event.target.closest(".board-column[data-stage]");
    if (!column || !dragged || !targetsOf(dragged).includes(column.dataset.stage)) {
      return null;
    }
    return column;
  };

  board.addEventListener("dragover", (event) => {
    const column = allowedColumn(event);
    if (column) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      columns().forEach((other) => other.classList.toggle("is-drop-hover", other === column));
    }
  });

  board.addEventListener("drop", (event) => {
    const column = allowedColumn(event);
    if (!column) {
      return;
    }
    event.preventDefault();
    const form = dragged.querySelector("[data-move-form]");
    const select = form.querySelector("select[name=stage]");
    const note = form.querySelector("input[name=note]");
    select.value = column.dataset.stage;
    select.dispatchEvent(new Event("change"));
    if (noteRequired(select) && !note.value.trim()) {
      const details = form.closest("details");
      if (details) {
        details.open = true;
      }
      note.focus();
      note.reportValidity();
      return;
    }
    form.requestSubmit();
  });
})();
