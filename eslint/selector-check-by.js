// @ts-check
// Every form of a site's page in a site file (`{ css | text | path, seen: 'YYYY-MM' }`) says when it
// was last seen on the live site. A form nobody has looked at for a while may be gone from the
// site, and the composer finders would then fail for everyone at once. So the month seen gives a
// check-by date, `months` later: past it the lint fails at that form, and someone looks at the
// live site, then moves `seen` on or drops the form. A second rule warns in the weeks before.
//
// The dates are data, not comments: the type makes every form carry one, and this rule reads the
// very literal the code uses, so a date cannot drift away from the selector it vouches for.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const FORM_KEYS = new Set(['css', 'text', 'path']);
const DAY_MS = 86_400_000;

/**
 * @param {import('estree').Property} p
 * @returns {string | undefined}
 */
function keyOf(p) {
  if (p.computed) return undefined;
  if (p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'Literal') return String(p.key.value);
  return undefined;
}

/**
 * @param {import('estree').Node} v
 * @returns {string | undefined}
 */
function plainString(v) {
  if (v.type === 'Literal' && typeof v.value === 'string') return v.value;
  if (v.type === 'TemplateLiteral' && v.expressions.length === 0) return v.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * @param {'due' | 'soon'} kind
 * @returns {import('eslint').Rule.RuleModule}
 */
function rule(kind) {
  return {
    meta: {
      type: 'problem',
      docs: {
        description:
          kind === 'due'
            ? 'Each form of a site page carries the month it was last seen, and is looked at again within `months`'
            : 'Warns in the weeks before a form of a site page is due for a look',
      },
      schema: [
        {
          type: 'object',
          properties: {
            months: { type: 'integer', minimum: 1 },
            warnDays: { type: 'integer', minimum: 1 },
            /** For tests: the day to judge by, YYYY-MM-DD. */
            today: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          },
          additionalProperties: false,
        },
      ],
      messages: {
        missing: 'A form of a site page needs `seen`: the month it was last seen on the live site (YYYY-MM).',
        malformed: '`seen` must be a month written as a plain string, YYYY-MM.',
        due: 'Last seen on the live site {{seen}}, due for a look by the end of {{due}}: check it on the site, then move `seen` on, or drop the form.',
        soon: 'Last seen on the live site {{seen}}: due for a look by the end of {{due}}.',
      },
    },
    create(context) {
      const { months = 6, warnDays = 30, today } = context.options[0] ?? {};
      const now = today ? Date.parse(`${today}T00:00:00Z`) : Date.now();
      return {
        ObjectExpression(node) {
          const props = node.properties.filter(/** @returns {p is import('estree').Property} */ (p) => p.type === 'Property');
          const seen = props.find((p) => keyOf(p) === 'seen');
          if (!seen) {
            if (kind === 'due' && props.some((p) => FORM_KEYS.has(keyOf(p) ?? ''))) context.report({ node, messageId: 'missing' });
            return;
          }
          const m = MONTH.exec(plainString(seen.value) ?? '');
          if (!m) {
            if (kind === 'due') context.report({ node: seen.value, messageId: 'malformed' });
            return;
          }
          const year = Number(m[1]);
          const month = Number(m[2]) - 1;
          // Due at the end of the month `months` after the one seen.
          const dueMonth = new Date(Date.UTC(year, month + months, 1));
          const overAt = Date.UTC(year, month + months + 1, 1);
          const data = { seen: m[0], due: dueMonth.toISOString().slice(0, 7) };
          if (kind === 'due' && now >= overAt) context.report({ node: seen.value, messageId: 'due', data });
          if (kind === 'soon' && now < overAt && now >= overAt - warnDays * DAY_MS)
            context.report({ node: seen.value, messageId: 'soon', data });
        },
      };
    },
  };
}

export const selectorCheckBy = rule('due');
export const selectorCheckSoon = rule('soon');
