package io.github.smtproutes.mail;

import org.apache.mailet.AttributeName;

/**
 * The attributes stock RemoteDelivery sets on a mail it could not deliver, which the stock
 * matchers ({@code IsRemoteDeliveryPermanentError}, {@code RemoteDeliveryFailedWithSMTPCode}) and
 * DSNBounce read. SMTP Routes sets the same on its bounces and delay warnings, so they work
 * unchanged. A package of its own: both the delivery and the retry queue write them.
 */
public final class DeliveryErrorAttributes {
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    public static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    private DeliveryErrorAttributes() {
    }
}
