/** The real-Xen driver: JNA bindings of libxengnttab and libxenevtchn behind the driver SPI. Private. */
package io.tubes.driver.xen.internal;
