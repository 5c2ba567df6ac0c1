// The two modals: asking for tokens (from the command, App Home or the low-stock DM), and the reason an
// admin gives when rejecting a request.
import { INPUTS, VIEWS } from './ids';
import { clip, LIMITS } from './limits';
import { context, escapeMrkdwn, plural, section, type Block, type View } from './text';

export interface RequestModalMeta {
  /** The slash command's response_url (valid 30 minutes), for the ephemeral confirmation. */
  responseUrl?: string | undefined;
}

export function requestModal(input: { maxQuantity: number; quantity?: number | undefined; meta?: RequestModalMeta }): View {
  const quantity = input.quantity !== undefined ? Math.min(Math.max(1, input.quantity), input.maxQuantity) : undefined;
  return {
    type: 'modal',
    callback_id: VIEWS.request,
    private_metadata: JSON.stringify(input.meta ?? {}),
    title: { type: 'plain_text', text: 'Request tokens' },
    submit: { type: 'plain_text', text: 'Send request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: INPUTS.quantity.block,
        label: { type: 'plain_text', text: 'How many tokens?' },
        hint: { type: 'plain_text', text: `From 1 to ${input.maxQuantity}.` },
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
        label: { type: 'plain_text', text: 'Why do you need them?' },
        element: {
          type: 'plain_text_input',
          action_id: INPUTS.reason.action,
          multiline: true,
          max_length: 500,
          placeholder: { type: 'plain_text', text: 'e.g. night shift in the ICU' },
        },
      },
      context('An admin approves or rejects the request; you get a DM with the outcome and, if approved, the tokens.'),
    ],
  };
}

export interface RejectModalMeta {
  requestId: string;
  /** The clicked message's response_url, to answer the admin there (or redraw the `pending` list). */
  responseUrl?: string | undefined;
  /** The button sat in the ephemeral `pending` list. */
  ephemeral?: boolean | undefined;
}

export function rejectModal(input: { meta: RejectModalMeta; requesterName: string; quantity: number }): View {
  const blocks: Block[] = [
    section(`Reject the request of *${escapeMrkdwn(clip(input.requesterName, 200))}* for ${plural(input.quantity, 'token')}?`),
    {
      type: 'input',
      block_id: INPUTS.rejectReason.block,
      label: { type: 'plain_text', text: 'Reason (the requester sees it)' },
      element: {
        type: 'plain_text_input',
        action_id: INPUTS.rejectReason.action,
        multiline: true,
        min_length: 3,
        max_length: 500,
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.reject,
    private_metadata: clip(JSON.stringify(input.meta), LIMITS.privateMetadata),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
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
