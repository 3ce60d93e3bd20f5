// The subscriptions domain as other modules see it: the service (fed by the event bus) and its HTTP routes.
export { SubscriptionService, type NotifyConfig, type SubscriptionServiceDeps } from './subscriptions.service.ts';
export { subscriptionRoutes, type SubscriptionRouteDeps } from './subscriptions.routes.ts';
export type { Notifier, Delivery } from './subscriptions.dispatcher.ts';
