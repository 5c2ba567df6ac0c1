// The modals: asking for tokens (from the command, App Home or the low-stock DM), the reason an admin
// gives when rejecting a request, and the optional note when approving one.
import type { Texts } from '../i18n';
import { INPUTS, VIEWS } from './ids';
import { clip, LIMITS } from './limits';
import { context, escapeMrkdwn, section, type Block, type View } from './text';

export interface RequestModalMeta {
  /** The slash command's response_url (valid 30 minutes), for the ephemeral confirmation. */
  responseUrl?: string | undefined;
}

export function requestModal(t: Texts, input: { maxQuantity: number; quantity?: number | undefined; meta?: RequestModalMeta }): View {
  const quantity = input.quantity !== undefined ? Math.min(Math.max(1, input.quantity), input.maxQuantity) : undefined;
  return {
    type: 'modal',
    callback_id: VIEWS.request,
    // The locale travels with the modal, so its submission can answer in it without looking anything up.
    private_metadata: JSON.stringify({ ...input.meta, locale: t.locale }),
    title: { type: 'plain_text', text: t.modal.requestTitle },
    submit: { type: 'plain_text', text: t.modal.requestSubmit },
    close: { type: 'plain_text', text: t.modal.cancel },
    blocks: [
      {
        type: 'input',
        block_id: INPUTS.quantity.block,
        label: { type: 'plain_text', text: t.modal.howMany },
        hint: { type: 'plain_text', text: t.modal.range(input.maxQuantity) },
        element: {
          type: 'number_input',
          action_id: INPUTS.quantity.action,
          is_decimal_allowed: false,
          min_value: '1',
          max_value: String(input.maxQuantity),
          ...(quantity !== undefined && { initial_value: String(quantity) }),
        },
      },
      {
        type: 'input',
        block_id: INPUTS.reason.block,
        optional: true,
        label: { type: 'plain_text', text: t.modal.why },
        element: {
          type: 'plain_text_input',
          action_id: INPUTS.reason.action,
          multiline: true,
          max_length: 500,
          placeholder: { type: 'plain_text', text: t.modal.whyPlaceholder },
        },
      },
      context(t.modal.requestHint),
    ],
  };
}

/** What a decision modal carries through Slack (private_metadata) to its submission. */
export interface DecisionModalMeta {
  requestId: string;
  /** The clicked message's response_url, to answer the admin there (or redraw the `pending` list). */
  responseUrl?: string | undefined;
  /** The button sat in the ephemeral `pending` list. */
  ephemeral?: boolean | undefined;
}
export type RejectModalMeta = DecisionModalMeta;

export function rejectModal(t: Texts, input: { meta: DecisionModalMeta; requesterName: string; quantity: number }): View {
  const blocks: Block[] = [
    section(t.modal.rejectQuestion(escapeMrkdwn(clip(input.requesterName, 200)), t.n.tokens(input.quantity))),
    {
      type: 'input',
      block_id: INPUTS.rejectReason.block,
      label: { type: 'plain_text', text: t.modal.rejectReason },
      element: { type: 'plain_text_input', action_id: INPUTS.rejectReason.action, multiline: true, min_length: 3, max_length: 500 },
    },
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.reject,
    private_metadata: clip(JSON.stringify({ ...input.meta, locale: t.locale }), LIMITS.privateMetadata),
    title: { type: 'plain_text', text: t.modal.rejectTitle },
    submit: { type: 'plain_text', text: t.modal.rejectSubmit },
    close: { type: 'plain_text', text: t.modal.cancel },
    blocks,
  };
}

export function approveModal(t: Texts, input: { meta: DecisionModalMeta; requesterName: string; quantity: number }): View {
  const blocks: Block[] = [
    section(t.modal.approveQuestion(escapeMrkdwn(clip(input.requesterName, 200)), t.n.tokens(input.quantity))),
    {
      type: 'input',
      block_id: INPUTS.approveNote.block,
      optional: true,
      label: { type: 'plain_text', text: t.modal.approveNote },
      element: { type: 'plain_text_input', action_id: INPUTS.approveNote.action, multiline: true, max_length: 500 },
    },
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.approve,
    private_metadata: clip(JSON.stringify({ ...input.meta, locale: t.locale }), LIMITS.privateMetadata),
    title: { type: 'plain_text', text: t.modal.approveTitle },
    submit: { type: 'plain_text', text: t.modal.approveSubmit },
    close: { type: 'plain_text', text: t.modal.cancel },
    blocks,
  };
}

/** A modal's private_metadata back as an object (it round-trips through Slack, so check its shape). */
export function readMeta(raw: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(raw || '{}') as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
