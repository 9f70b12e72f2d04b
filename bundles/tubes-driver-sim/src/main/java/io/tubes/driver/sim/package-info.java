/**
 * The simulated host's driver, domain side: joining the host as a domain.
 */
package io.tubes.driver.sim;
