# The modules moved into modules/stack: these keep the existing state (no destroy/create,
# the database included). Remove them once both environments have applied this change.

moved {
  from = module.observability_key
  to   = module.faceauth.module.observability_key
}

moved {
  from = module.network
  to   = module.faceauth.module.network
}

moved {
  from = module.database
  to   = module.faceauth.module.database
}

moved {
  from = module.storage
  to   = module.faceauth.module.storage
}

moved {
  from = module.functions
  to   = module.faceauth.module.functions
}

moved {
  from = module.api
  to   = module.faceauth.module.api
}

moved {
  from = module.schedule
  to   = module.faceauth.module.schedule
}

moved {
  from = module.monitoring
  to   = module.faceauth.module.monitoring
}
