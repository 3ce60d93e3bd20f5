// The participation module as other modules see it (adapters are imported by the setup only).
export type { ParticipationStore, ProposalQuery } from './participation.port.ts';
export type { Ballot, Comment, Phase, PhaseKind, Process, Proposal, Report, Text2, AnswerStatus, Survey, SurveyAnswer, SurveyQuestion, SurveyValue } from './participation.model.ts';
export { SurveyService, type SurveyResults, type QuestionResult } from './survey.service.ts';
export { ANSWER_STATUSES, PHASE_KINDS } from './participation.model.ts';
export { ParticipationService, ParticipationProblem, DELETED_NAME, type Person, type ProcessView, type BudgetResult } from './participation.service.ts';
export { RegistrationService, type RegistrationProblem } from './registration.service.ts';
export { renderMarkdown } from './markdown.ts';
export type { Problem, ProblemCode } from './participation.validate.ts';
export { LIMITS as PARTICIPATION_LIMITS } from './participation.validate.ts';
export { ACTIONS as PARTICIPATION_ACTIONS } from './participation.rules.ts';
export { EventService, isoToBerlinLocal, type Attendee, type EventView } from './events.service.ts';
export { OpenDataService } from './export.service.ts';
export { GuestService, guestOf, newGuestToken, GUEST_SUFFIX, type Guest, type HeldContribution } from './guest.service.ts';
export { FollowService, type FollowedTarget } from './follow.service.ts';
export type { GuestContribution, Follow, FollowKind, NotifyMode } from './guests-follows.model.ts';
export { FOLLOW_KINDS, NOTIFY_MODES } from './guests-follows.model.ts';
