// OpenAPI rows and schemas of participation (/api/participation): processes with phases, proposals,
// comments, support, moderation, official answers, participatory budgets, the iCalendar feed and the
// person's own data. The schemas follow src/participation/participation.validate.ts and its limits.
import { ANSWER_STATUSES, PARTICIPATION_ACTIONS, PARTICIPATION_LIMITS as L, PHASE_KINDS } from '../../participation/index.ts';
import { json, jsonBody, oneOfValues, ref, type Operation, type Param, type Schema } from './openapi.model.ts';

const P = '/api/participation';
const ID = (what: string) => ({ id: { description: what } });
const PROCESS = ID('The process\'s slug');
const PROPOSAL = ID('The proposal\'s id');
const ACTS = 'A confirmed account acts through its session (cookie; X-CSRF-Token on writes). The process\'s phase decides what is allowed (409 PhaseClosed otherwise); actions are rate-limited per person (429 with Retry-After).';
const ROLE = (role: string) => `Needs the ${role} role (operators may do everything). ${ACTS}`;

const LIST: Param[] = [
  { name: 'category', description: 'Only proposals of this category', schema: { type: 'string' } },
  { name: 'q', description: 'Free text in title and body', schema: { type: 'string' } },
  { name: 'sort', description: 'Order (default newest)', schema: { enum: ['newest', 'supports', 'comments'] } },
  { name: 'limit', description: 'Page size (default 50)', schema: { type: 'integer', minimum: 1 } },
  { name: 'offset', description: 'Page start', schema: { type: 'integer', minimum: 0 } },
];
const reason = (what: string): Schema => ({ type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: L.reason, description: what } } });
const ACT_ERRORS = [409, 429];
const READ = 'Open to everyone; with a session, the person\'s own contributions are marked mine (and hidden ones of theirs show the moderation reason).';

const TEXT2: Schema = { type: 'object', required: ['de', 'en'], properties: { de: { type: 'string' }, en: { type: 'string', description: 'May be empty: the German text is shown then' } } };
const COORD = (what: string, max: number): Schema => ({ description: `${what} in decimal degrees (a German decimal comma is accepted in text)`, oneOf: [{ type: 'number', minimum: -max, maximum: max }, { type: 'string' }] });

const IMAGE: Schema = {
  type: 'object', required: ['url', 'alt', 'width', 'height', 'contentType'], description: 'A proposal\'s image; state, times and a rejection\'s reason only for its author and moderators',
  properties: { url: { type: 'string' }, alt: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, contentType: { enum: ['image/jpeg', 'image/png'] }, state: { enum: ['pending', 'released', 'rejected'] }, createdAt: { type: 'string', format: 'date-time' }, decidedAt: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
};

export const PARTICIPATION_OPERATIONS: Operation[] = [
  { method: 'GET', path: `${P}/processes`, tag: 'Participation', summary: 'Processes with their current phase and the actions it allows', access: 'public', answer: json({ type: 'array', items: ref('ProcessView') }) },
  { method: 'POST', path: `${P}/processes`, tag: 'Participation', summary: 'Open a process (steward)', access: 'person', description: ROLE('steward'), body: jsonBody(ref('ProcessInput')), ok: 201, answer: json(ref('Process')), answerHeaders: { Location: 'The process\'s URL' }, errors: [409] },
  { method: 'GET', path: `${P}/processes/{id}`, tag: 'Participation', summary: 'One process with its phase, the allowed actions and the next phase', access: 'public', pathParams: PROCESS, answer: json(ref('ProcessView')) },
  { method: 'PUT', path: `${P}/processes/{id}`, tag: 'Participation', summary: 'Replace a process (steward; the slug comes from the path)', access: 'person', description: ROLE('steward'), pathParams: PROCESS, body: jsonBody(ref('ProcessInput')), answer: json(ref('Process')) },
  { method: 'GET', path: `${P}/processes/{id}/proposals`, tag: 'Participation', summary: 'The proposals of a process (hidden ones without title and body)', access: 'public', description: READ, pathParams: PROCESS, query: LIST, answer: json({ type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: ref('Proposal') } } }) },
  { method: 'POST', path: `${P}/processes/{id}/proposals`, tag: 'Participation', summary: 'Write a proposal (participation phase)', access: 'person', description: ACTS, pathParams: PROCESS, body: jsonBody(ref('ProposalInput')), ok: 201, answer: json(ref('Proposal')), answerHeaders: { Location: 'The proposal\'s URL' }, errors: ACT_ERRORS },
  { method: 'GET', path: `${P}/processes/{id}/verification`, tag: 'Participation', summary: 'Whether the process requires a verification and whether the caller has given it', access: 'public', description: 'With a session, verified says whether the person has given the verification the process requires (docs/participation.md#verification).', pathParams: PROCESS, answer: json({ type: 'object', required: ['process', 'verified'], properties: { process: { type: 'string' }, required: { type: 'string', description: 'The verification plug-in (absent: none needed)' }, verified: { type: 'boolean' } } }) },
  { method: 'POST', path: `${P}/processes/{id}/verification`, tag: 'Participation', summary: 'Verify for a process (postal code or invitation code); needed for supporting, survey answers and budget votes where the process requires it', access: 'person', description: `${ACTS} Attempts, right or wrong, are limited per account (DREHSCHEIBE_VERIFY_ATTEMPTS). 400 at code for a code that is not accepted or used already.`, pathParams: PROCESS, body: jsonBody({ type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 100, description: 'The postal code, or the invitation code (case, spaces and dashes do not matter)' } } }), ok: 201, answer: json({ type: 'object', required: ['process', 'required', 'verified', 'at'], properties: { process: { type: 'string' }, required: { type: 'string' }, verified: { type: 'boolean' }, at: { type: 'string', format: 'date-time' } } }), errors: [409, 429] },
  { method: 'GET', path: `${P}/processes/{id}/invitation-codes`, tag: 'Participation', summary: 'How many invitation codes a process has and how many were redeemed (steward)', access: 'person', description: ROLE('steward'), pathParams: PROCESS, answer: json({ type: 'object', required: ['codes', 'redeemed'], properties: { codes: { type: 'integer' }, redeemed: { type: 'integer' } } }), errors: [409] },
  { method: 'POST', path: `${P}/processes/{id}/invitation-codes`, tag: 'Participation', summary: 'Make single-use invitation codes (steward); shown this once, only their hashes are kept', access: 'person', description: `${ROLE('steward')} JSON, or CSV with Accept: text/csv. 409 unless the process requires invitation-code.`, pathParams: PROCESS, body: jsonBody({ type: 'object', required: ['count'], properties: { count: { type: 'integer', minimum: 1, maximum: 10000 } } }), ok: 201, answer: json({ type: 'object', required: ['process', 'codes'], properties: { process: { type: 'string' }, codes: { type: 'array', items: { type: 'string' } } } }), errors: [409] },
  { method: 'GET', path: `${P}/processes/{id}/ballot`, tag: 'Participation', summary: 'The person\'s own ballot in a budget vote', access: 'person', description: ACTS, pathParams: PROCESS, answer: json(ref('Ballot')) },
  { method: 'POST', path: `${P}/processes/{id}/ballot`, tag: 'Participation', summary: 'Cast a ballot in a budget vote (one per person, within the budget)', access: 'person', description: ACTS, pathParams: PROCESS, body: jsonBody({ type: 'object', required: ['proposalIds'], properties: { proposalIds: { type: 'array', minItems: 1, maxItems: L.ballot, items: { type: 'string' }, description: 'Published proposals of the process with a cost estimate, together within the budget' } } }), ok: 201, answer: json(ref('Ballot')), errors: ACT_ERRORS },
  { method: 'GET', path: `${P}/processes/{id}/result`, tag: 'Participation', summary: 'The budget vote\'s result (published with the result phase; stewards earlier)', access: 'public', pathParams: PROCESS, answer: json(ref('BudgetResult')), errors: [409] },
  { method: 'GET', path: `${P}/proposals/{id}`, tag: 'Participation', summary: 'One proposal (with whether the person supports it)', access: 'public', description: READ, pathParams: PROPOSAL, answer: json({ allOf: [ref('Proposal'), { type: 'object', properties: { supported: { type: 'boolean' } } }] }) },
  { method: 'PATCH', path: `${P}/proposals/{id}`, tag: 'Participation', summary: 'Edit one\'s own proposal (participation phase)', access: 'person', description: ACTS, pathParams: PROPOSAL, body: jsonBody(ref('ProposalInput')), answer: json(ref('Proposal')), errors: ACT_ERRORS },
  { method: 'POST', path: `${P}/proposals/{id}/withdraw`, tag: 'Participation', summary: 'Withdraw one\'s own proposal', access: 'person', description: ACTS, pathParams: PROPOSAL, ok: 204, errors: [409] },
  { method: 'GET', path: `${P}/proposals/{id}/comments`, tag: 'Participation', summary: 'The comments on a proposal, threaded by parentId (hidden ones without body)', access: 'public', description: READ, pathParams: PROPOSAL, answer: json({ type: 'array', items: ref('Comment') }) },
  { method: 'POST', path: `${P}/proposals/{id}/comments`, tag: 'Participation', summary: 'Comment on a proposal', access: 'person', description: ACTS, pathParams: PROPOSAL, body: jsonBody(ref('CommentInput')), ok: 201, answer: json(ref('Comment')), errors: ACT_ERRORS },
  { method: 'GET', path: `${P}/projects/{id}/comments`, tag: 'Participation', summary: 'The comments on a strategy project', access: 'public', description: READ, pathParams: ID('The project\'s slug'), answer: json({ type: 'array', items: ref('Comment') }) },
  { method: 'POST', path: `${P}/projects/{id}/comments`, tag: 'Participation', summary: 'Comment on a strategy project', access: 'person', description: ACTS, pathParams: ID('The project\'s slug'), body: jsonBody(ref('CommentInput')), ok: 201, answer: json(ref('Comment')), errors: ACT_ERRORS },
  // Proposals' images (docs/participation.md#images): re-encoded without metadata, public once a moderator released them.
  { method: 'PUT', path: `${P}/proposals/{id}/image`, tag: 'Participation', summary: 'Add or replace the image of one\'s own proposal while it may be edited; it waits for release', access: 'person', description: `${ACTS} JPEG or PNG (checked by content), at most 8 MB and 40 megapixels; re-encoded (at most 2,048 px on the longer side) without EXIF, XMP or IPTC.`, pathParams: PROPOSAL,
    body: { required: true, content: { 'multipart/form-data': { type: 'object', required: ['image', 'alt'], properties: { image: { type: 'string', format: 'binary', description: 'The image file' }, alt: { type: 'string', minLength: 3, maxLength: 300, description: 'What the image shows (alternative text)' } } } } }, answer: json(IMAGE), errors: [409] },
  { method: 'GET', path: `${P}/proposals/{id}/image`, tag: 'Participation', summary: 'The image of a proposal: released ones for everyone; a waiting or rejected one for its author and moderators (404 otherwise)', access: 'public', pathParams: PROPOSAL, answer: { 'image/jpeg': { type: 'string', format: 'binary' }, 'image/png': { type: 'string', format: 'binary' } } },
  { method: 'DELETE', path: `${P}/proposals/{id}/image`, tag: 'Participation', summary: 'Remove the image (its author, or a moderator)', access: 'person', pathParams: PROPOSAL, ok: 204 },
  { method: 'POST', path: `${P}/proposals/{id}/image/release`, tag: 'Participation', summary: 'Release a waiting image (moderator)', access: 'person', description: ROLE('moderator'), pathParams: PROPOSAL, answer: json(IMAGE), errors: [409] },
  { method: 'POST', path: `${P}/proposals/{id}/image/reject`, tag: 'Participation', summary: 'Do not release a waiting image; the author is mailed the reason (moderator)', access: 'person', description: ROLE('moderator'), pathParams: PROPOSAL, body: jsonBody(reason('Why the image is not released (the author reads it)')), answer: json(IMAGE), errors: [409] },
  { method: 'GET', path: `${P}/proposal-images`, tag: 'Participation', summary: 'Images waiting for release, oldest first (moderator)', access: 'person', description: ROLE('moderator'), answer: json({ type: 'array', items: { allOf: [IMAGE, { type: 'object', properties: { proposalId: { type: 'string' }, title: { type: 'string' } } }] } }) },
  { method: 'PUT', path: `${P}/proposals/{id}/support`, tag: 'Participation', summary: 'Support a proposal (once per person)', access: 'person', description: ACTS, pathParams: PROPOSAL, answer: json(ref('Support')), errors: ACT_ERRORS },
  { method: 'DELETE', path: `${P}/proposals/{id}/support`, tag: 'Participation', summary: 'Take one\'s support back', access: 'person', description: ACTS, pathParams: PROPOSAL, answer: json(ref('Support')), errors: ACT_ERRORS },
  ...(['proposal', 'comment'] as const).flatMap((kind): Operation[] => {
    const path = `${P}/${kind}s/{id}`;
    const pathParams = ID(`The ${kind}'s id`);
    return [
      { method: 'POST', path: `${path}/report`, tag: 'Participation', summary: `Report a ${kind} to the moderators`, access: 'person', description: ACTS, pathParams, body: jsonBody(reason('What is wrong with it')), ok: 202, answer: json({ type: 'object', properties: { message: { type: 'string' } } }), errors: [429] },
      { method: 'POST', path: `${path}/hide`, tag: 'Participation', summary: `Hide a ${kind} with a reason its author sees (moderator)`, access: 'person', description: ROLE('moderator'), pathParams, body: jsonBody(reason('Shown to the author')), ok: 204 },
      { method: 'POST', path: `${path}/restore`, tag: 'Participation', summary: `Restore a hidden ${kind} (moderator)`, access: 'person', description: ROLE('moderator'), pathParams, ok: 204 },
    ];
  }),
  { method: 'GET', path: `${P}/reports`, tag: 'Participation', summary: 'Open reports of content, with the content (moderator)', access: 'person', description: ROLE('moderator'), answer: json({ type: 'array', items: ref('ContentReport') }) },
  { method: 'PUT', path: `${P}/blocks/{id}`, tag: 'Participation', summary: 'Block an account from taking part for some days (moderator)', access: 'person', description: ROLE('moderator'), pathParams: ID('The account\'s (user\'s) id'), body: jsonBody({ type: 'object', required: ['days', 'reason'], properties: { days: { type: 'integer', minimum: 1, maximum: 3650 }, reason: { type: 'string', minLength: 1, maxLength: L.reason } } }), ok: 204 },
  { method: 'DELETE', path: `${P}/blocks/{id}`, tag: 'Participation', summary: 'Lift a block (moderator)', access: 'person', description: ROLE('moderator'), pathParams: ID('The account\'s (user\'s) id'), ok: 204 },
  { method: 'PUT', path: `${P}/proposals/{id}/answer`, tag: 'Participation', summary: 'The city\'s official answer to a proposal (steward)', access: 'person', description: ROLE('steward'), pathParams: PROPOSAL, body: jsonBody(ref('AnswerInput')), answer: json(ref('Proposal')), errors: [409] },
  { method: 'PUT', path: `${P}/proposals/{id}/cost`, tag: 'Participation', summary: 'The city\'s cost estimate of a proposal in whole euros (steward)', access: 'person', description: ROLE('steward'), pathParams: PROPOSAL, body: jsonBody({ type: 'object', required: ['cost'], properties: { cost: { oneOf: [{ type: 'integer', minimum: 0, maximum: 1e9 }, { type: 'string', description: 'Whole euros as text ("12.500")' }, { type: 'null', description: 'No estimate' }] } } }), answer: json(ref('Proposal')), errors: [409] },
  ...((): Operation[] => {
    const SURVEY = ID('The survey\'s id');
    const survey: Schema = { type: 'object', description: 'A survey: title, description and 1 to 50 questions (single, multiple, scale 1–5, free text), their ids q1, q2, … from their order (see docs/participation.md)' };
    const answer: Schema = { type: 'object', required: ['surveyId', 'answers'], properties: { surveyId: { type: 'string' }, answers: { type: 'object', description: 'Question id → the choice index, the choice indexes, the scale value or the text' }, createdAt: { type: 'string' } } };
    return [
      { method: 'GET', path: `${P}/processes/{id}/surveys`, tag: 'Participation', summary: 'The surveys of a process', access: 'public', pathParams: PROCESS, answer: json({ type: 'array', items: survey }) },
      { method: 'POST', path: `${P}/processes/{id}/surveys`, tag: 'Participation', summary: 'Add a survey to a process (steward)', access: 'person', description: ROLE('steward'), pathParams: PROCESS, body: jsonBody(survey), ok: 201, answer: json(survey), answerHeaders: { Location: 'The survey\'s URL' } },
      { method: 'GET', path: `${P}/surveys/{id}`, tag: 'Participation', summary: 'One survey with the phase, whether it is open and whether the person has answered', access: 'public', pathParams: SURVEY, answer: json(survey) },
      { method: 'PUT', path: `${P}/surveys/{id}`, tag: 'Participation', summary: 'Replace a survey until its first answer (steward; 409 after)', access: 'person', description: ROLE('steward'), pathParams: SURVEY, body: jsonBody(survey), answer: json(survey), errors: [409] },
      { method: 'PUT', path: `${P}/surveys/{id}/published`, tag: 'Participation', summary: 'Publish or withdraw the results (steward)', access: 'person', description: ROLE('steward'), pathParams: SURVEY, body: jsonBody({ type: 'object', required: ['published'], properties: { published: { type: 'boolean' } } }), answer: json(survey) },
      { method: 'POST', path: `${P}/surveys/{id}/answers`, tag: 'Participation', summary: 'Answer a survey (once per person, in a phase that allows it)', access: 'person', description: ACTS, pathParams: SURVEY, body: jsonBody({ type: 'object', required: ['answers'], properties: { answers: { type: 'object' } } }), ok: 201, answer: json(answer), errors: ACT_ERRORS },
      { method: 'GET', path: `${P}/surveys/{id}/answers/mine`, tag: 'Participation', summary: 'The person\'s own answer (404 when none)', access: 'person', description: ACTS, pathParams: SURVEY, answer: json(answer) },
      { method: 'GET', path: `${P}/surveys/{id}/results`, tag: 'Participation', summary: 'Counts and shares per choice, the scale\'s distribution and mean (once published; stewards always)', access: 'public', pathParams: SURVEY, answer: json({ type: 'object' }), errors: [409] },
      { method: 'GET', path: `${P}/surveys/{id}/answers.csv`, tag: 'Participation', summary: 'All answers as CSV without personal data (steward)', access: 'person', description: ROLE('steward'), pathParams: SURVEY, answer: { 'text/csv': { type: 'string' } } },
    ];
  })(),
  { method: 'GET', path: `${P}/events.ics`, tag: 'Participation', summary: 'The city\'s upcoming events as iCalendar (subscribable)', access: 'public', answer: { 'text/calendar': { type: 'string', description: 'RFC 5545' } } },
  ...((): Operation[] => {
    const EVENT_ID = ID('The event\'s id');
    const input: Schema = {
      type: 'object', required: ['title', 'start', 'place'], properties: {
        id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$', description: 'Only on create; made from the title when absent' },
        title: TEXT2, start: { type: 'string', description: 'ISO 8601 with time zone, or YYYY-MM-DDTHH:MM as German local time' }, end: { type: 'string', description: 'After start' },
        place: { type: 'string', minLength: 1, maxLength: 300 }, description: TEXT2, lat: COORD('Latitude', 90), lon: COORD('Longitude', 180),
        capacity: { type: 'integer', minimum: 1, maximum: 100_000, description: 'Seats; absent = no limit; never below the registrations (400)' },
        registration: { type: 'boolean', description: 'Signed-in people register to take part' },
      },
    };
    const view: Schema = { type: 'object', description: 'The event with point [lon, lat], capacity, registration, and taken (registrations), left (seats free), full, open (registration possible now), registered (the caller, on reads by id and registration changes)' };
    const money = 'A confirmed, unblocked account acts through its session (cookie; X-CSRF-Token on writes); rate-limited with supports (429).';
    return [
      { method: 'GET', path: `${P}/events`, tag: 'Participation', summary: 'The city\'s events that have not ended (all=1: all of them), soonest first, with their registrations', access: 'public', query: [{ name: 'all', description: '1: past events too', schema: { enum: ['1', 'true'] } }], answer: json({ type: 'array', items: view }) },
      { method: 'POST', path: `${P}/events`, tag: 'Participation', summary: 'Create an event (steward)', access: 'person', description: ROLE('steward'), body: jsonBody(input), ok: 201, answer: json(view), answerHeaders: { Location: 'The event\'s URL' }, errors: [409] },
      { method: 'GET', path: `${P}/events/{id}`, tag: 'Participation', summary: 'One event with its registrations and whether the caller is registered', access: 'public', pathParams: EVENT_ID, answer: json(view) },
      { method: 'PUT', path: `${P}/events/{id}`, tag: 'Participation', summary: 'Replace an event (steward; a capacity below the registrations is 400)', access: 'person', description: ROLE('steward'), pathParams: EVENT_ID, body: jsonBody(input), answer: json(view) },
      { method: 'PUT', path: `${P}/events/{id}/registration`, tag: 'Participation', summary: 'Register for an event (once per person; 409 EventFull when every seat is taken, 409 when it takes no registrations or has begun)', access: 'person', description: money, pathParams: EVENT_ID, answer: json(view), errors: ACT_ERRORS },
      { method: 'DELETE', path: `${P}/events/{id}/registration`, tag: 'Participation', summary: 'Cancel one\'s registration (404 when none)', access: 'person', description: money, pathParams: EVENT_ID, answer: json(view), errors: [409] },
      { method: 'PUT', path: `${P}/events/{id}/waitlist`, tag: 'Participation', summary: 'Join the waiting list of a full event (a free seat is taken at once instead; 409 when registered, when it takes no registrations or has begun); the first waiting person gets a freed seat and a mail', access: 'person', description: money, pathParams: EVENT_ID, answer: json({ type: 'object', description: 'The event view with waiting: the caller\'s place (1 = next) or null' }), errors: ACT_ERRORS },
      { method: 'DELETE', path: `${P}/events/{id}/waitlist`, tag: 'Participation', summary: 'Leave the waiting list (404 when not on it)', access: 'person', description: money, pathParams: EVENT_ID, answer: json(view), errors: [409] },
      { method: 'GET', path: `${P}/events/{id}/registrations`, tag: 'Participation', summary: 'Who registered and who waits: display names, e-mail addresses, times (steward; personal data, never public)', access: 'person', description: ROLE('steward'), pathParams: EVENT_ID, answer: json({ type: 'object', required: ['registered', 'waiting'], properties: { registered: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' }, at: { type: 'string' } } } }, waiting: { type: 'array', items: { type: 'object' } } } }) },
      { method: 'GET', path: `${P}/events/{id}/registrations.csv`, tag: 'Participation', summary: 'The same as CSV (steward): status, displayName, email, at', access: 'person', description: ROLE('steward'), pathParams: EVENT_ID, answer: { 'text/csv': { type: 'string' } } },
      { method: 'GET', path: `${P}/events/{id}/kalender.ics`, tag: 'Participation', summary: 'One event as iCalendar (RFC 5545)', access: 'public', pathParams: EVENT_ID, answer: { 'text/calendar': { type: 'string', description: 'RFC 5545' } } },
      { method: 'PUT', path: `${P}/comments/{id}/helpful`, tag: 'Participation', summary: 'Rate a comment "hilfreich" (once per person, not one\'s own)', access: 'person', description: ACTS, pathParams: ID('The comment\'s id'), answer: json({ type: 'object', properties: { helpful: { type: 'boolean' }, count: { type: 'integer' } } }), errors: ACT_ERRORS },
      { method: 'DELETE', path: `${P}/comments/{id}/helpful`, tag: 'Participation', summary: 'Withdraw one\'s rating of a comment', access: 'person', description: ACTS, pathParams: ID('The comment\'s id'), answer: json({ type: 'object', properties: { helpful: { type: 'boolean' }, count: { type: 'integer' } } }), errors: ACT_ERRORS },
      { method: 'GET', path: `${P}/processes/{id}/export.json`, tag: 'Participation', summary: 'Open data: the process\'s public contributions (proposals, comments, counts, survey results once published, the budget result once public); display names only', access: 'public', pathParams: PROCESS, answer: json({ type: 'object', required: ['process', 'proposals', 'comments', 'surveys', 'budgetResult'] }) },
      { method: 'GET', path: `${P}/processes/{id}/proposals.csv`, tag: 'Participation', summary: 'Open data: the published proposals with counts and the city\'s answers as CSV', access: 'public', pathParams: PROCESS, answer: { 'text/csv': { type: 'string' } } },
      { method: 'GET', path: `${P}/processes/{id}/comments.csv`, tag: 'Participation', summary: 'Open data: the comments on published proposals as CSV (hidden ones without text)', access: 'public', pathParams: PROCESS, answer: { 'text/csv': { type: 'string' } } },
    ];
  })(),
  ...((): Operation[] => {
    const GUEST = 'Guests act without an account where the process allows them (guests: true): the per-browser token comes in the X-Guest-Token header (a new one is issued with the first contribution, in the X-Guest-Token answer header and as guestToken). Limited per client address (DREHSCHEIBE_GUEST_LIMIT per DREHSCHEIBE_GUEST_LIMIT_WINDOW seconds; 429 with Retry-After). 403 where the process takes no guests, 409 PhaseClosed outside the phases that allow the action.';
    const held = json(ref('GuestContribution'));
    const MOD = 'Needs the moderator role (operators may do everything).';
    const FOLLOW = 'A confirmed account acts through its session (cookie; X-CSRF-Token on writes).';
    const kind = { kind: { description: 'process, proposal or project' }, id: { description: 'The process\'s slug, the proposal\'s id or the project\'s slug' } };
    const followed = json({ type: 'object', required: ['following'], properties: { following: { type: 'boolean' } } });
    return [
      { method: 'POST', path: `${P}/proposals/{id}/guest-comments`, tag: 'Participation', summary: 'A guest comments on a proposal under a pseudonym (held until a moderator releases it)', access: 'public', description: GUEST, pathParams: PROPOSAL, body: jsonBody({ type: 'object', required: ['pseudonym', 'body'], properties: { pseudonym: { type: 'string', minLength: 2, maxLength: 40, description: 'Shown as "<pseudonym> (Gast)"' }, body: { type: 'string', minLength: 1, maxLength: L.comment }, parentId: { type: 'string' } } }), ok: 202, answer: held, answerHeaders: { 'X-Guest-Token': 'A new guest token, when none was sent' }, errors: [403, 409, 429] },
      { method: 'POST', path: `${P}/surveys/{id}/guest-answers`, tag: 'Participation', summary: 'A guest answers a survey under a pseudonym (once per guest; held until a moderator releases it)', access: 'public', description: GUEST, pathParams: ID('The survey\'s id'), body: jsonBody({ type: 'object', required: ['pseudonym', 'answers'], properties: { pseudonym: { type: 'string', minLength: 2, maxLength: 40 }, answers: { type: 'object', description: 'As for POST /surveys/{id}/answers' } } }), ok: 202, answer: held, answerHeaders: { 'X-Guest-Token': 'A new guest token, when none was sent' }, errors: [403, 409, 429] },
      { method: 'GET', path: `${P}/guest-contributions/mine`, tag: 'Participation', summary: 'The guest\'s own contributions to a proposal or survey that wait for release', access: 'public', description: 'By the X-Guest-Token header (401 without).', errors: [401], query: [{ name: 'target', required: true, description: 'The proposal\'s or survey\'s id', schema: { type: 'string' } }], answer: json({ type: 'array', items: ref('GuestContribution') }) },
      { method: 'GET', path: `${P}/guest-contributions`, tag: 'Participation', summary: 'Guests\' contributions waiting for release, oldest first (moderator)', access: 'person', description: MOD, answer: json({ type: 'array', items: ref('GuestContribution') }) },
      { method: 'POST', path: `${P}/guest-contributions/{id}/release`, tag: 'Participation', summary: 'Release a guest contribution: the comment is published, the answer counted (moderator)', access: 'person', description: MOD, pathParams: ID('The contribution\'s id'), answer: held, errors: [409] },
      { method: 'POST', path: `${P}/guest-contributions/{id}/reject`, tag: 'Participation', summary: 'Reject a guest contribution: it is never published (moderator)', access: 'person', description: MOD, pathParams: ID('The contribution\'s id'), ok: 204, errors: [409] },
      { method: 'GET', path: `${P}/follows`, tag: 'Participation', summary: 'What the person follows and how they are notified', access: 'person', description: FOLLOW, answer: json({ type: 'object', required: ['mode', 'follows'], properties: { mode: oneOfValues(['immediate', 'digest']), follows: { type: 'array', items: { type: 'object', required: ['kind', 'targetId', 'createdAt', 'title', 'path'], properties: { kind: oneOfValues(['process', 'proposal', 'project']), targetId: { type: 'string' }, createdAt: { type: 'string' }, title: TEXT2, path: { type: 'string' } } } } } }) },
      { method: 'PUT', path: `${P}/follows/settings`, tag: 'Participation', summary: 'Choose immediate mail or a daily digest', access: 'person', description: FOLLOW, body: jsonBody({ type: 'object', required: ['mode'], properties: { mode: oneOfValues(['immediate', 'digest']) } }), answer: json({ type: 'object', required: ['mode'], properties: { mode: oneOfValues(['immediate', 'digest']) } }) },
      { method: 'PUT', path: `${P}/follows/{kind}/{id}`, tag: 'Participation', summary: 'Follow a process, a proposal or a project (news by mail: new proposals, comments, the city\'s answers, phase changes)', access: 'person', description: FOLLOW, pathParams: kind, answer: followed },
      { method: 'DELETE', path: `${P}/follows/{kind}/{id}`, tag: 'Participation', summary: 'Stop following', access: 'person', description: FOLLOW, pathParams: kind, answer: followed },
      { method: 'POST', path: `${P}/unsubscribe`, tag: 'Participation', summary: 'One-click unsubscribe (RFC 8058) with the signed token of a notification mail; no login', access: 'public', query: [{ name: 'token', required: true, description: 'From the mail\'s link', schema: { type: 'string' } }], answer: json({ type: 'object', required: ['unsubscribed', 'kind'], properties: { unsubscribed: { const: true }, kind: oneOfValues(['process', 'proposal', 'project', 'all']) } }) },
    ];
  })(),
  { method: 'GET', path: `${P}/me/export`, tag: 'Participation', summary: 'The person\'s own data as JSON (GDPR Art. 15, 20)', access: 'person', description: 'The session\'s account.', answer: json({ type: 'object', description: 'Account, proposals, comments, supports, ballots and reports of the person' }) },
  { method: 'POST', path: `${P}/me/delete`, tag: 'Participation', summary: 'Delete one\'s own account, confirmed with the password (GDPR Art. 17; contributions stay, by "gelöschtes Konto")', access: 'person', description: 'The session\'s account; 403 when the password is wrong.', body: jsonBody({ type: 'object', required: ['password'], properties: { password: { type: 'string', maxLength: 1024 } } }), ok: 204 },
];

const AREA: Schema = {
  type: 'object', required: ['type', 'coordinates'], description: 'GeoJSON Polygon (lon/lat, WGS 84): one closed ring of 4 to 1000 positions',
  properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', minItems: 1, items: { type: 'array', minItems: 4, maxItems: 1000, items: { type: 'array', prefixItems: [{ type: 'number', minimum: -180, maximum: 180 }, { type: 'number', minimum: -90, maximum: 90 }], minItems: 2, maxItems: 2 } } } },
};
const PHASE: Schema = { type: 'object', required: ['kind', 'start', 'end'], properties: { kind: oneOfValues(PHASE_KINDS), start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time', description: 'After start; phases do not overlap' } } };

export const PARTICIPATION_SCHEMAS: Record<string, Schema> = {
  ProcessInput: {
    type: 'object', required: ['slug', 'title', 'phases'], additionalProperties: false,
    properties: {
      slug: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])$', description: 'Not one of the reserved path words (vorschlaege, registrieren, anmelden, meine-daten, proposals, register, login, my-data); PUT takes it from the path' },
      title: { type: 'object', required: ['de'], properties: { de: { type: 'string', minLength: 1, maxLength: 200 }, en: { type: 'string', maxLength: 200 } } },
      description: { type: 'object', properties: { de: { type: 'string', maxLength: 20_000 }, en: { type: 'string', maxLength: 20_000 } } },
      projectSlug: { type: 'string', description: 'The strategy project the process belongs to' },
      area: AREA,
      phases: { type: 'array', minItems: 1, maxItems: L.phases, items: PHASE },
      categories: { type: 'array', maxItems: L.categories, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 60 } },
      budget: { type: 'integer', minimum: 1, maximum: 1e12, description: 'Participatory budget in whole euros: the process has a budget vote' },
      guests: { type: 'boolean', description: 'Guests may comment and answer surveys under a pseudonym without an account (held for moderation)' },
      verification: { type: 'string', description: 'The verification supporting, survey answers and budget votes need: none (default), postal-code, invitation-code or a registered plug-in; 403 VerificationRequired without it' },
    },
  },
  GuestContribution: {
    type: 'object', required: ['id', 'kind', 'pseudonym', 'processSlug', 'targetId', 'state', 'createdAt'], description: 'A guest\'s comment or survey answer; never the guest\'s address or id',
    properties: {
      id: { type: 'string' }, kind: oneOfValues(['comment', 'survey']), pseudonym: { type: 'string' }, processSlug: { type: 'string' }, targetId: { type: 'string', description: 'The proposal or survey' },
      state: oneOfValues(['pending', 'released', 'rejected']), comment: { type: 'object', required: ['body'], properties: { body: { type: 'string' }, parentId: { type: 'string' } } },
      answers: { type: 'object' }, createdAt: { type: 'string', format: 'date-time' }, decidedAt: { type: 'string', format: 'date-time' },
      guestToken: { type: 'string', description: 'Only when a new token was issued with this contribution' },
      context: { type: 'object', description: 'In the moderators\' list: what it belongs to', properties: { title: { type: 'string' }, proposalId: { type: 'string' }, surveyId: { type: 'string' } } },
    },
  },
  Process: {
    type: 'object', required: ['slug', 'title', 'description', 'phases', 'categories', 'createdAt', 'modifiedAt'],
    properties: {
      slug: { type: 'string' }, title: TEXT2, description: TEXT2, projectSlug: { type: 'string' }, area: AREA,
      phases: { type: 'array', items: PHASE }, categories: { type: 'array', items: { type: 'string' } }, budget: { type: 'integer' }, guests: { type: 'boolean' }, verification: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' }, modifiedAt: { type: 'string', format: 'date-time' },
    },
  },
  ProcessView: {
    allOf: [ref('Process'), {
      type: 'object', required: ['phase', 'allowed'],
      properties: {
        phase: oneOfValues([...PHASE_KINDS, 'before', 'between', 'after'], 'Where the process is now'),
        allowed: { type: 'array', items: oneOfValues(PARTICIPATION_ACTIONS), description: 'Actions the phase allows (before roles are considered)' },
        next: { type: 'object', properties: { kind: { type: 'string' }, start: { type: 'string', format: 'date-time' } }, description: 'The next phase (single process only)' },
      },
    }],
  },
  ProposalInput: {
    type: 'object', required: ['title', 'body'],
    properties: {
      title: { type: 'string', minLength: 1, maxLength: L.title }, body: { type: 'string', minLength: 1, maxLength: L.body, description: 'Markdown (rendered through the sanitiser)' },
      category: { type: 'string', description: 'One of the process\'s categories' },
      lat: COORD('Latitude', 90), lon: COORD('Longitude', 180),
    },
    description: 'lat and lon together or neither; the point must lie inside the process\'s area',
  },
  Proposal: {
    type: 'object', required: ['id', 'processSlug', 'authorName', 'state', 'supportCount', 'commentCount', 'createdAt', 'modifiedAt'],
    description: 'What the public sees: never who supported it, nor the author\'s account (only "mine"); a hidden proposal has no title and body',
    properties: {
      id: { type: 'string' }, processSlug: { type: 'string' }, authorName: { type: 'string' }, title: { type: 'string' }, body: { type: 'string' },
      category: { type: 'string' }, point: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[lon, lat]' },
      state: { enum: ['published', 'withdrawn', 'hidden'] },
      answer: { type: 'object', required: ['status', 'text', 'at'], properties: { status: oneOfValues(ANSWER_STATUSES), text: { type: 'string' }, projectSlug: { type: 'string' }, at: { type: 'string', format: 'date-time' } } },
      cost: { type: 'integer', description: 'Cost estimate in whole euros' }, supportCount: { type: 'integer' }, commentCount: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' }, modifiedAt: { type: 'string', format: 'date-time' },
      mine: { type: 'boolean' }, moderation: { type: 'object', properties: { hiddenAt: { type: 'string' }, reason: { type: 'string' } }, description: 'Only for its author' },
    },
  },
  CommentInput: { type: 'object', required: ['body'], properties: { body: { type: 'string', minLength: 1, maxLength: L.comment }, parentId: { type: 'string', description: 'The comment answered (same page)' } } },
  Comment: {
    type: 'object', required: ['id', 'target', 'authorName', 'createdAt'],
    properties: {
      id: { type: 'string' }, target: { type: 'object', properties: { kind: { enum: ['proposal', 'project'] }, id: { type: 'string' } } }, parentId: { type: 'string' },
      authorName: { type: 'string' }, body: { type: 'string', description: 'Absent when hidden' }, hidden: { type: 'boolean' }, mine: { type: 'boolean' },
      moderation: { type: 'object', properties: { hiddenAt: { type: 'string' }, reason: { type: 'string' } } }, createdAt: { type: 'string', format: 'date-time' },
    },
  },
  Support: { type: 'object', required: ['supported', 'count'], properties: { supported: { type: 'boolean' }, count: { type: 'integer' } } },
  AnswerInput: {
    type: 'object', required: ['status', 'text'],
    properties: { status: oneOfValues(ANSWER_STATUSES), text: { type: 'string', minLength: 1, maxLength: L.answer, description: 'For a rejection, the reason' }, projectSlug: { type: 'string', description: 'Required for implemented: the strategy project that implements it' } },
  },
  Ballot: {
    type: 'object', required: ['processSlug', 'items', 'total', 'budget', 'createdAt'],
    properties: { processSlug: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: { proposalId: { type: 'string' }, cost: { type: 'integer' } } } }, total: { type: 'integer' }, budget: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' } },
  },
  BudgetResult: {
    type: 'object', required: ['budget', 'ballots', 'rows', 'spent'],
    properties: {
      budget: { type: 'integer' }, ballots: { type: 'integer' }, spent: { type: 'integer' },
      rows: { type: 'array', description: 'By votes, most first; funded while the budget lasts', items: { type: 'object', properties: { proposal: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, cost: { type: 'integer' } } }, votes: { type: 'integer' }, funded: { type: 'boolean' } } } },
    },
  },
  ContentReport: {
    type: 'object', required: ['id', 'target', 'reason', 'createdAt'],
    properties: {
      id: { type: 'string' }, target: { type: 'object', properties: { kind: { enum: ['proposal', 'comment'] }, id: { type: 'string' } } }, reporterId: { type: 'string' }, reason: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' }, resolvedAt: { type: 'string', format: 'date-time' },
      content: { type: 'object', properties: { title: { type: 'string' }, body: { type: 'string' }, authorName: { type: 'string' }, hidden: { type: 'boolean' }, proposalId: { type: 'string' } } },
    },
  },
};
