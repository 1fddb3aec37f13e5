"""The "which of my events?" step, written once for /read_event, /edit_event, /delete_event,
/share_event and /invite:

- a bare command shows the picker (ui/picker.py), or says there are no events and ends;
- `/command <id>` loads that event of the sender's at once;
- at the step, a pressed event or a typed id loads it; anything else, or another person's
  event, is refused and the question (with its buttons) is asked again.

Every loaded event goes through `selectors.events.get_own_event` (the ownership check) and
then to `on_event(update, context, event)`, whose return value is the dialog's next state:

    step = pick_event_step("edit", texts.PICK_TO_EDIT, ask_new_details, state=EDIT_ID)
    step.command_dialog("edit_event", {EDIT_FIELD: ..., ...})

A dialog that reaches the step later (/invite, after the participant) calls `step.offer`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, ConversationHandler, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.ui import dialog, picker
from calendarapp.exceptions import DomainError


@dataclass(frozen=True)
class PickStep:
    entry: Callable  # the command's callback
    offer: Callable  # ask the question with the picker; END if there is nothing to pick
    handlers: list[BaseHandler]  # the waiting state's handlers
    state: str  # the waiting state

    def command_dialog(self, command: str, states: dict | None = None) -> ConversationHandler:
        """The dialog /command opens at this step; `states` are the ones after it."""
        return dialog.command_dialog(
            command, self.entry, {self.state: self.handlers, **(states or {})}
        )


def pick_event_step(action: str, question, on_event: picker.OnPick, *, state: str) -> PickStep:
    async def offer(update: Update, context: ContextTypes.DEFAULT_TYPE, problem: str = ""):
        markup = await dialog.db(picker.picker_markup)(update.effective_user.id, action, 1)
        if markup is None:  # nothing to pick from: say so (after what was wrong) and end
            dialog.forget(context, "draft")
            await dialog.send(
                update, f"{problem}\n\n{texts.NO_EVENTS}" if problem else texts.NO_EVENTS
            )
            return dialog.END
        dialog.remember(context, question, markup)
        if problem:
            await dialog.ask_again(update, context, problem)
        else:
            await dialog.send(update, question, markup)
        return state

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str):
        try:
            event = await dialog.load_own_event(update, text)
        except DomainError as error:
            return await offer(update, context, texts.error_text(error))
        return await on_event(update, context, event)

    async def entry(update: Update, context: ContextTypes.DEFAULT_TYPE):
        if not await dialog.begin(update, context):
            return dialog.END
        args = dialog.command_args(context)
        if not args:
            return await offer(update, context)
        return await chosen(update, context, args[0])

    @dialog.stops
    async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        return await chosen(update, context, update.message.text)

    return PickStep(
        entry=entry,
        offer=offer,
        handlers=[*picker.pick_handlers(action, on_event), MessageHandler(dialog.TEXT, typed)],
        state=state,
    )
