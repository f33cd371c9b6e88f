// @mini-crm/models: the clients domain's input schemas (filled in by the clients work).
export {};
