// Slack's Block Kit size limits, in one place: the builders clip to them, and the tests (and the fake
// Slack) check every payload against them, so a long reason or a big list can never make Slack refuse
// a message with `invalid_blocks`.
// https://api.slack.com/reference/block-kit/blocks, .../composition-objects, .../surfaces

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonLabel: 75,
  actionId: 255,
  blockId: 255,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  initialValue: 3000,
  messageText: 40_000,
} as const;

/** Shortens text to at most `max` characters, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (isObj(v) && typeof v.text === 'string' ? v.text : undefined);

/**
 * Every way `payload` breaks a Block Kit limit, as readable strings (empty when it is fine).
 * `payload` is a message (`{text?, blocks?}`) or a view (`{type: 'modal' | 'home', blocks, ...}`).
 */
export function blockKitProblems(payload: Json): string[] {
  const problems: string[] = [];
  const isView = payload.type === 'modal' || payload.type === 'home';
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as unknown[]) : [];
  const maxBlocks = isView ? LIMITS.viewBlocks : LIMITS.messageBlocks;
  const say = (where: string, what: string) => problems.push(`${where}: ${what}`);
  const maxLen = (where: string, value: unknown, max: number) => {
    if (typeof value === 'string' && value.length > max) say(where, `${value.length} characters, limit ${max}`);
  };

  if (blocks.length > maxBlocks) say('blocks', `${blocks.length} blocks, limit ${maxBlocks}`);
  if (typeof payload.text === 'string') maxLen('text', payload.text, LIMITS.messageText);
  if (isView) {
    maxLen('title', textOf(payload.title), LIMITS.viewTitle);
    maxLen('submit', textOf(payload.submit), LIMITS.viewButton);
    maxLen('close', textOf(payload.close), LIMITS.viewButton);
    maxLen('private_metadata', payload.private_metadata, LIMITS.privateMetadata);
    maxLen('callback_id', payload.callback_id, LIMITS.callbackId);
    if (payload.type === 'modal' && !textOf(payload.title)) say('title', 'a modal needs a title');
  }

  const element = (where: string, el: unknown) => {
    if (!isObj(el)) return;
    maxLen(`${where}.action_id`, el.action_id, LIMITS.actionId);
    if (el.type === 'button') {
      maxLen(`${where}.text`, textOf(el.text), LIMITS.buttonText);
      maxLen(`${where}.value`, el.value, LIMITS.buttonValue);
      maxLen(`${where}.accessibility_label`, el.accessibility_label, LIMITS.buttonLabel);
      if (el.value === '') say(`${where}.value`, 'empty value');
    }
    maxLen(`${where}.placeholder`, textOf(el.placeholder), LIMITS.placeholder);
    maxLen(`${where}.initial_value`, el.initial_value, LIMITS.initialValue);
    if (isObj(el.confirm)) {
      maxLen(`${where}.confirm.text`, textOf(el.confirm.text), 300);
      maxLen(`${where}.confirm.title`, textOf(el.confirm.title), 100);
    }
  };

  blocks.forEach((b, i) => {
    const where = `blocks[${i}]`;
    if (!isObj(b)) return say(where, 'not an object');
    maxLen(`${where}.block_id`, b.block_id, LIMITS.blockId);
    switch (b.type) {
      case 'section': {
        const text = textOf(b.text);
        const fields = Array.isArray(b.fields) ? b.fields : [];
        if (text === undefined && fields.length === 0) say(where, 'a section needs text or fields');
        if (text !== undefined && text.length === 0) say(`${where}.text`, 'empty text');
        maxLen(`${where}.text`, text, LIMITS.sectionText);
        if (fields.length > LIMITS.sectionFields) say(`${where}.fields`, `${fields.length} fields, limit ${LIMITS.sectionFields}`);
        fields.forEach((f, j) => maxLen(`${where}.fields[${j}]`, textOf(f), LIMITS.fieldText));
        if (b.accessory) element(`${where}.accessory`, b.accessory);
        break;
      }
      case 'header':
        maxLen(`${where}.text`, textOf(b.text), LIMITS.headerText);
        if (!textOf(b.text)) say(where, 'a header needs text');
        break;
      case 'context': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0 || els.length > LIMITS.contextElements) say(where, `${els.length} elements, 1..${LIMITS.contextElements}`);
        els.forEach((e, j) => maxLen(`${where}.elements[${j}]`, textOf(e), LIMITS.sectionText));
        break;
      }
      case 'actions': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0 || els.length > LIMITS.actionsElements) say(where, `${els.length} elements, 1..${LIMITS.actionsElements}`);
        els.forEach((e, j) => element(`${where}.elements[${j}]`, e));
        break;
      }
      case 'input':
        maxLen(`${where}.label`, textOf(b.label), LIMITS.inputLabel);
        maxLen(`${where}.hint`, textOf(b.hint), LIMITS.inputHint);
        element(`${where}.element`, b.element);
        if (!isView) say(where, 'input blocks belong in modals');
        break;
      case 'divider':
        break;
      default:
        say(where, `unexpected block type ${String(b.type)}`);
    }
  });
  return problems;
}
