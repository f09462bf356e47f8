/** The payloads that pass between the order-routing workflow and its Lambda tasks. */

/** Execution input: the execution is named after the order, and carries only its id. */
export interface RoutingInput {
  orderId: string;
}

/** checkOrder: runs the unified checks, stores them and the rule versions, and says where the order goes. */
export interface CheckOrderInput {
  orderId: string;
}
export interface CheckOrderOutput {
  orderId: string;
  decision: 'PASS' | 'REJECT' | 'HOLD';
}

/** allocateOrder: reserves every kg of every line at member factories, all or nothing. */
export interface AllocateOrderInput {
  orderId: string;
}
export interface AllocateOrderOutput {
  orderId: string;
  outcome: 'ALLOCATED' | 'UNFILLED';
  allocationIds: string[];
}

/** notifyFactory: one Map iteration; e-mails one factory its allocation, at most once. */
export interface NotifyFactoryInput {
  orderId: string;
  allocationId: string;
}
export interface NotifyFactoryOutput {
  allocationId: string;
  messageId: string | null;
}

/** recordOutcome: moves the order to the status the route reached and publishes the matching event. */
export type RoutedStatus = 'REJECTED' | 'HELD' | 'UNFILLED' | 'ALLOCATED' | 'CANCELLED';
export interface RecordOutcomeInput {
  orderId: string;
  status: RoutedStatus;
}
export interface RecordOutcomeOutput {
  orderId: string;
  status: RoutedStatus;
}

/** releaseReservations: the compensation step; releases whatever the order holds. Safe to run twice. */
export interface ReleaseReservationsInput {
  orderId: string;
  error?: { Error?: string; Cause?: string };
}
export interface ReleaseReservationsOutput {
  orderId: string;
  released: number;
}

/** awaitReview: a `.waitForTaskToken` task; stores the token on the HELD order for the reviewer API to resume with. */
export interface AwaitReviewInput {
  orderId: string;
  taskToken: string;
}

/** What the reviewer API sends with SendTaskSuccess; the workflow's `Reviewed?` choice reads `decision`. */
export interface ReviewTaskOutput {
  decision: 'APPROVED' | 'REJECTED';
}
