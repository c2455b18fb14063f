// The payments domain's public face: orders, refunds, payment reads, and the hooks other domains
// and the provider-task worker call. Handlers import payments only from here; the commands carry
// the input schema their routes validate by.
import { fn } from "../shared/fn";
import * as lifecycle from "./order-lifecycle";
import * as orders from "./orders";
import * as payments from "./payment-views";
import * as refunds from "./refunds";

export const placeOrder = fn(orders.PlaceOrderInput, orders.placeOrder);
export const cancelOrder = fn(lifecycle.CancelOrderInput, lifecycle.cancelOrder);
export const cancelParticipant = fn(lifecycle.CancelParticipantInput, lifecycle.cancelParticipant);
export const requestRefund = fn(refunds.RefundInput, refunds.requestRefund);
export const myPayments = fn(payments.MyPaymentsInput, payments.myPayments);

export { PlaceOrderInput, type OrderAnswer, type OrderInput } from "./orders";
export { getOrder, CancelParticipantInput } from "./order-lifecycle";
export { RefundInput } from "./refunds";
export { getPayment, type PaymentView, type RefundView, type PaymentPage } from "./payment-views";
export { eventCancellationHooks } from "./cancellation";
export { promotionOptions } from "./waitlist-orders";
export { runTask, runDueTasks } from "./provider-tasks";
export { createFieldCipher, type FieldCipher } from "./crypto";
export type { PaymentsDeps, RequestMeta } from "./deps";
