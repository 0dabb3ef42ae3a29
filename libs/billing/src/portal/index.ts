export { CreatePortalToken, type CreatePortalTokenCommand, type PortalToken } from './create-portal-token';
export { ListPortalInvoices, PORTAL_INVOICES, type PortalQuery } from './list-portal-invoices';
export { GetPortalInvoice } from './get-portal-invoice';
export { GetPortalPeriod, type PortalModelUsage, type PortalPeriod } from './get-portal-period';
export { PortalCustomers, portalInvoice, type PortalCustomer, type PortalInvoice, type PortalLine } from './portal-views';
