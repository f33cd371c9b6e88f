// @mini-crm/models: the dashboard domain's input schemas (filled in by the dashboard work).
export {};
