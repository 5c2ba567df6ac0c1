// The action and callback ids that tie a Block Kit element to its listener, in one place so a builder and
// the listener that handles its clicks can never drift apart.
export const ACTIONS = {
  approve: 'request_approve',
  /** Opens the approve modal with an optional note. */
  approveWithNote: 'request_approve_note',
  reject: 'request_reject',
  openRequestModal: 'request_open_modal',
  grantJustified: 'grant_justified',
  grantFlagged: 'grant_flagged',
  signIn: 'home_sign_in',
  /** App Home (admins): put a dead letter back in line. */
  retryDelivery: 'outbox_retry',
  /** URL buttons: Slack still reports the click, which only needs an ack. */
  openLink: 'open_link',
} as const;

export const VIEWS = {
  request: 'request_modal',
  reject: 'reject_modal',
  approve: 'approve_modal',
} as const;

/** Input block and element ids inside the modals (what view.state.values is keyed by). */
export const INPUTS = {
  quantity: { block: 'quantity', action: 'value' },
  reason: { block: 'reason', action: 'value' },
  rejectReason: { block: 'reject_reason', action: 'value' },
  approveNote: { block: 'approve_note', action: 'value' },
} as const;
