export {
  type DomainEvent,
  EVENT_TYPES,
  type EventBus,
  type EventHandler,
  type EventType,
  type NewDomainEvent,
} from './domain-event.ts';
export { createEventBus, type DurableEventHandler, type OutboxEventBus } from './event-bus.ts';
