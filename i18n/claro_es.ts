<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>Claro</name>
    <message>
        <source>chosen in settings</source>
        <translation>elegido en la configuración</translation>
    </message>
    <message>
        <source>created by Claro</source>
        <translation>creado por Claro</translation>
    </message>
    <message>
        <source>development checkout</source>
        <translation>copia de desarrollo</translation>
    </message>
    <message>
        <source>found on PATH</source>
        <translation>encontrado en el PATH</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; does not exist.</source>
        <translation>El Python '{}' no existe.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; did not answer within {} s.</source>
        <translation>El Python '{}' no respondió en {} s.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; could not be started ({}).</source>
        <translation>No se pudo iniciar el Python '{}' ({}).</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; failed to start ({}).</source>
        <translation>El Python '{}' falló al iniciar ({}).</translation>
    </message>
    <message>
        <source>Python {}</source>
        <translation>Python {}</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>Solo CPU</translation>
    </message>
    <message>
        <source>TensorFlow {} on {}</source>
        <translation>TensorFlow {} en {}</translation>
    </message>
    <message>
        <source>No TensorFlow: create a TensorFlow environment or choose another Python.</source>
        <translation>Sin TensorFlow: cree un entorno de TensorFlow o elija otro Python.</translation>
    </message>
    <message>
        <source>no numpy</source>
        <translation>sin numpy</translation>
    </message>
    <message>
        <source>no GDAL Python bindings</source>
        <translation>sin los enlaces de GDAL para Python</translation>
    </message>
    <message>
        <source>Creating the environment</source>
        <translation>Creando el entorno</translation>
    </message>
    <message>
        <source>Updating pip</source>
        <translation>Actualizando pip</translation>
    </message>
    <message>
        <source>Installing {} (a large download)</source>
        <translation>Instalando {} (una descarga grande)</translation>
    </message>
    <message>
        <source>Checking the environment</source>
        <translation>Verificando el entorno</translation>
    </message>
    <message>
        <source>Create TensorFlow environment</source>
        <translation>Crear entorno de TensorFlow</translation>
    </message>
    <message>
        <source>{} failed: {}</source>
        <translation>{} falló: {}</translation>
    </message>
    <message>
        <source>{} failed (exit code {}); see the log {}.</source>
        <translation>{} falló (código de salida {}); vea el registro {}.</translation>
    </message>
    <message>
        <source>Creating the environment failed; see the log {}.</source>
        <translation>La creación del entorno falló; vea el registro {}.</translation>
    </message>
    <message>
        <source>Checking the TensorFlow Python</source>
        <translation>Verificando el Python con TensorFlow</translation>
    </message>
    <message>
        <source>The check was cancelled.</source>
        <translation>La verificación fue cancelada.</translation>
    </message>
    <message>
        <source>&apos;{}&apos; is not a comma-separated list of numbers.</source>
        <translation>'{}' no es una lista de números separados por comas.</translation>
    </message>
    <message>
        <source>&apos;{}&apos; needs exactly {} comma-separated values.</source>
        <translation>'{}' necesita exactamente {} valores separados por comas.</translation>
    </message>
    <message>
        <source>default</source>
        <translation>predeterminado</translation>
    </message>
    <message>
        <source>QGIS could not open {}; the file may be damaged.</source>
        <translation>QGIS no pudo abrir {}; el archivo puede estar dañado.</translation>
    </message>
    <message>
        <source>{} has no class list (no model card and no .qml beside it).</source>
        <translation>{} no tiene lista de clases (ni ficha del modelo ni un .qml a su lado).</translation>
    </message>
    <message>
        <source>{} (probability of {})</source>
        <translation>{} (probabilidad de {})</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>Cancelado; no se escribió nada.</translation>
    </message>
    <message>
        <source>The job failed; see the log.</source>
        <translation>El proceso falló; vea el registro.</translation>
    </message>
    <message>
        <source>The layer '{}' is a web layer; save it as a GeoTIFF first (right-click &gt; Export &gt; Save As…) and use that.</source>
        <translation>La capa '{}' es una capa web; guárdela primero como GeoTIFF (clic derecho &gt; Exportar &gt; Guardar como…) y use ese archivo.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be read for export.</source>
        <translation>No se pudo leer la capa '{}' para exportarla.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be saved as a GeoTIFF (error {}).</source>
        <translation>No se pudo guardar la capa '{}' como GeoTIFF (error {}).</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be saved as a GeoPackage ({}).</source>
        <translation>No se pudo guardar la capa '{}' como GeoPackage ({}).</translation>
    </message>
    <message>
        <source>No layer was chosen.</source>
        <translation>No se eligió ninguna capa.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is not a polygon layer; draw labels as polygons.</source>
        <translation>La capa '{}' no es una capa de polígonos; dibuje las etiquetas como polígonos.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is neither a raster nor a vector layer.</source>
        <translation>La capa '{}' no es ni ráster ni vectorial.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; has no field &apos;{}&apos;.</source>
        <translation>La capa '{}' no tiene el campo '{}'.</translation>
    </message>
    <message>
        <source>The field &apos;{}&apos; holds &apos;{}&apos;: class values must be whole numbers.</source>
        <translation>El campo '{}' contiene '{}': los valores de clase deben ser números enteros.</translation>
    </message>
    <message>
        <source>The field &apos;{}&apos; holds {}: class values must be whole numbers.</source>
        <translation>El campo '{}' contiene {}: los valores de clase deben ser números enteros.</translation>
    </message>
    <message>
        <source>Background &apos;{}&apos; must be a class value or &apos;ignore&apos;.</source>
        <translation>El fondo '{}' debe ser un valor de clase o 'ignore'.</translation>
    </message>
    <message>
        <source>{} must be {} values separated by commas, not &apos;{}&apos;.</source>
        <translation>{} debe contener valores {} separados por comas, no '{}'.</translation>
    </message>
    <message>
        <source>whole-number</source>
        <translation>enteros</translation>
    </message>
    <message>
        <source>numeric</source>
        <translation>numéricos</translation>
    </message>
    <message>
        <source>{} needs exactly {} values separated by commas, not &apos;{}&apos;.</source>
        <translation>{} necesita exactamente {} valores separados por comas, no '{}'.</translation>
    </message>
    <message>
        <source>{}: the raster could not be opened.</source>
        <translation>{}: no se pudo abrir el ráster.</translation>
    </message>
    <message>
        <source>{}: '{}' is not a raster file (it comes from '{}'); save it as a GeoTIFF first (Raster ▸ Conversion ▸ Translate) and use that.</source>
        <translation>{}: '{}' no es un archivo ráster (proviene de '{}'); guárdelo primero como GeoTIFF (Ráster ▸ Conversión ▸ Traducir) y use ese archivo.</translation>
    </message>
    <message>
        <source>{}: the layer could not be opened.</source>
        <translation>{}: no se pudo abrir la capa.</translation>
    </message>
    <message>
        <source>{}: &apos;{}&apos; is neither a raster nor a vector layer.</source>
        <translation>{}: '{}' no es ni una capa ráster ni vectorial.</translation>
    </message>
    <message>
        <source>deep learning</source>
        <translation>aprendizaje profundo</translation>
    </message>
    <message>
        <source>segmentation</source>
        <translation>segmentación</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>clasificación</translation>
    </message>
    <message>
        <source>forest</source>
        <translation>bosque</translation>
    </message>
    <message>
        <source>deforestation</source>
        <translation>deforestación</translation>
    </message>
    <message>
        <source>Runs in the Python with TensorFlow chosen in Claro&apos;s dock (Environment); existing outputs are replaced.</source>
        <translation>Se ejecuta en el Python con TensorFlow elegido en el panel de Claro (Entorno); las salidas existentes se reemplazan.</translation>
    </message>
    <message>
        <source>Epoch {} of {}: {}</source>
        <translation>Época {} de {}: {}</translation>
    </message>
    <message>
        <source>Finished: {}</source>
        <translation>Terminado: {}</translation>
    </message>
    <message>
        <source>Details: {}</source>
        <translation>Detalles: {}</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Pérdida</translation>
    </message>
    <message>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <source>no epochs yet</source>
        <translation>aún no hay épocas</translation>
    </message>
    <message>
        <source>epoch {}</source>
        <translation>época {}</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Color</translation>
    </message>
    <message>
        <source>Claro</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entrenar</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predecir</translation>
    </message>
    <message>
        <source>The image raster to learn from (satellite or aerial; any band count).</source>
        <translation>El ráster de imagen del que se aprende (satelital o aérea; cualquier número de bandas).</translation>
    </message>
    <message>
        <source>Image layer</source>
        <translation>Capa de imagen</translation>
    </message>
    <message>
        <source>Label layer</source>
        <translation>Capa de etiquetas</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Clases</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>Avanzado</translation>
    </message>
    <message>
        <source>Cut the training data into patches, then train the U-Net.</source>
        <translation>Corta los datos de entrenamiento en parches y luego entrena la U-Net.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Stop the running job; nothing half-written is left.</source>
        <translation>Detiene el proceso en curso; no queda nada escrito a medias.</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Resultados</translation>
    </message>
    <message>
        <source>Raster layer</source>
        <translation>Capa ráster</translation>
    </message>
    <message>
        <source>Choose a model file to see its bands and classes.</source>
        <translation>Elija un archivo de modelo para ver sus bandas y clases.</translation>
    </message>
    <message>
        <source>Classify the raster with the model and add the result as a layer.</source>
        <translation>Clasifica el ráster con el modelo y añade el resultado como capa.</translation>
    </message>
    <message>
        <source>The Python that runs TensorFlow (any venv or conda environment with TensorFlow 2.21 and GDAL). Empty: found automatically.</source>
        <translation>El Python que ejecuta TensorFlow (cualquier entorno venv o conda con TensorFlow 2.21 y GDAL). Vacío: se busca automáticamente.</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>Aún no verificado.</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <source>Start this Python and report its TensorFlow version and devices.</source>
        <translation>Inicia este Python e informa su versión de TensorFlow y sus dispositivos.</translation>
    </message>
    <message>
        <source>Make a Python environment in the QGIS profile and install TensorFlow into it (a download of several hundred MB).</source>
        <translation>Crea un entorno de Python en el perfil de QGIS e instala TensorFlow en él (una descarga de varios cientos de MB).</translation>
    </message>
    <message>
        <source>With an NVIDIA GPU and driver, the environment gets TensorFlow&apos;s GPU build.</source>
        <translation>Con una GPU NVIDIA y su controlador, el entorno recibe la versión de TensorFlow para GPU.</translation>
    </message>
    <message>
        <source>Installation log</source>
        <translation>Registro de instalación</translation>
    </message>
    <message>
        <source>Choose where to save the model (Model file) in Train.</source>
        <translation>Elija dónde guardar el modelo (Archivo de modelo) en Entrenar.</translation>
    </message>
    <message>
        <source>A Claro job is already running; wait for it or cancel it.</source>
        <translation>Ya hay un proceso de Claro en curso; espere a que termine o cancélelo.</translation>
    </message>
    <message>
        <source>Cutting patches…</source>
        <translation>Cortando parches…</translation>
    </message>
    <message>
        <source>Claro: train {}</source>
        <translation>Claro: entrenar {}</translation>
    </message>
    <message>
        <source>Started: {}</source>
        <translation>Iniciado: {}</translation>
    </message>
    <message>
        <source>Epoch {}/{}</source>
        <translation>Época {}/{}</translation>
    </message>
    <message>
        <source>Model saved: {}</source>
        <translation>Modelo guardado: {}</translation>
    </message>
    <message>
        <source>Training finished: {}</source>
        <translation>Entrenamiento terminado: {}</translation>
    </message>
    <message>
        <source>Log: {}</source>
        <translation>Registro: {}</translation>
    </message>
    <message>
        <source>Choose a model file in Predict.</source>
        <translation>Elija un archivo de modelo en Predecir.</translation>
    </message>
    <message>
        <source>Choose where to write the class raster in Predict.</source>
        <translation>Elija dónde escribir el ráster de clases en Predecir.</translation>
    </message>
    <message>
        <source>Predicting…</source>
        <translation>Prediciendo…</translation>
    </message>
    <message>
        <source>Claro: predict {}</source>
        <translation>Claro: predecir {}</translation>
    </message>
    <message>
        <source>Written: {}</source>
        <translation>Escrito: {}</translation>
    </message>
    <message>
        <source>Prediction added as layer &apos;{}&apos;.</source>
        <translation>Predicción añadida como capa '{}'.</translation>
    </message>
    <message>
        <source>Checking {}…</source>
        <translation>Verificando {}…</translation>
    </message>
    <message>
        <source>TensorFlow environment ready: {}</source>
        <translation>Entorno de TensorFlow listo: {}</translation>
    </message>
    <message>
        <source>Claro: deep-learning segmentation</source>
        <translation>Claro: segmentación con aprendizaje profundo</translation>
    </message>
    <message>
        <source>Show the Claro dock: train a U-Net on your layers and map the result</source>
        <translation>Muestra el panel de Claro: entrene una U-Net con sus capas y mapee el resultado</translation>
    </message>
    <message>
        <source>Claro {}: U-Net segmentation for forest monitoring</source>
        <translation>Claro {}: segmentación U-Net para el monitoreo de bosques</translation>
    </message>
    <message>
        <source>Cancelled: {}</source>
        <translation>Cancelado: {}</translation>
    </message>
    <message>
        <source>Keras model (*.keras)</source>
        <translation>Modelo Keras (*.keras)</translation>
    </message>
    <message>
        <source>JSON report (*.json)</source>
        <translation>Informe JSON (*.json)</translation>
    </message>
    <message>
        <source>Build patch dataset</source>
        <translation>Generar conjunto de parches</translation>
    </message>
    <message>
        <source>Train U-Net</source>
        <translation>Entrenar U-Net</translation>
    </message>
    <message>
        <source>Classify raster (predict)</source>
        <translation>Clasificar ráster (predecir)</translation>
    </message>
    <message>
        <source>Evaluate class raster</source>
        <translation>Evaluar ráster de clases</translation>
    </message>
    <message>
        <source>Training patches</source>
        <translation>Parches de entrenamiento</translation>
    </message>
    <message>
        <source>Validation patches</source>
        <translation>Parches de validación</translation>
    </message>
    <message>
        <source>Test patches</source>
        <translation>Parches de prueba</translation>
    </message>
    <message>
        <source>Epochs run</source>
        <translation>Épocas ejecutadas</translation>
    </message>
    <message>
        <source>Best epoch</source>
        <translation>Mejor época</translation>
    </message>
    <message>
        <source>Mean IoU on the validation patches</source>
        <translation>IoU media en los parches de validación</translation>
    </message>
    <message>
        <source>Mean IoU on the test patches</source>
        <translation>IoU media en los parches de prueba</translation>
    </message>
    <message>
        <source>Pixels classified</source>
        <translation>Píxeles clasificados</translation>
    </message>
    <message>
        <source>Overall accuracy</source>
        <translation>Exactitud global</translation>
    </message>
    <message>
        <source>Mean IoU</source>
        <translation>IoU media</translation>
    </message>
    <message>
        <source>Pixels compared</source>
        <translation>Píxeles comparados</translation>
    </message>
    <message>
        <source>The TensorFlow Python stopped with exit code {}{}; see the log {} for details.</source>
        <translation>El Python con TensorFlow se detuvo con el código de salida {}{}; vea el registro {} para más detalles.</translation>
    </message>
    <message>
        <source>The job was cancelled before it started.</source>
        <translation>El proceso se canceló antes de empezar.</translation>
    </message>
    <message>
        <source>Stop the running job; nothing half-written is left. A training keeps its best model so far and can be resumed (Resume).</source>
        <translation>Detiene el trabajo en curso; no queda nada escrito a medias. Un entrenamiento conserva su mejor modelo hasta el momento y se puede reanudar (Reanudar).</translation>
    </message>
    <message>
        <source>Reading label values…</source>
        <translation>Leyendo los valores de las etiquetas…</translation>
    </message>
    <message>
        <source>Reading the label values was cancelled.</source>
        <translation>Se canceló la lectura de los valores de las etiquetas.</translation>
    </message>
    <message>
        <source>Classes from {:.0%} of the label raster; reading the rest…</source>
        <translation>Clases del {:.0%} del ráster de etiquetas; leyendo el resto…</translation>
    </message>
    <message>
        <source>Patches: train {}, validation {}, test {}</source>
        <translation>Parches: entrenamiento {}, validación {}, prueba {}</translation>
    </message>
    <message>
        <source>Claro: reading label values</source>
        <translation>Claro: leyendo los valores de las etiquetas</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found; create one or choose one in Claro&apos;s dock (Setup tab), then run the algorithm again.</source>
        <translation>No se encontró ningún Python con TensorFlow; cree uno o elija uno en el panel de Claro (pestaña Configuración) y vuelva a ejecutar el algoritmo.</translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>Crear…</translation>
    </message>
    <message>
        <source>Create a TensorFlow environment for Claro (asks before downloading).</source>
        <translation>Crea un entorno de TensorFlow para Claro (pregunta antes de descargar).</translation>
    </message>
    <message>
        <source>Choose a Python…</source>
        <translation>Elegir un Python…</translation>
    </message>
    <message>
        <source>Use a Python you already have with TensorFlow and GDAL.</source>
        <translation>Usa un Python con TensorFlow y GDAL que ya tenga.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source>The Python interpreter &apos;{}&apos; does not exist; choose the Python with TensorFlow in Claro&apos;s Setup tab (or create one there).</source>
        <translation>El intérprete de Python '{}' no existe; elija el Python con TensorFlow en la pestaña Configuración de Claro (o cree uno allí).</translation>
    </message>
    <message>
        <source>Could not start &apos;{}&apos; ({}); choose another Python in Claro&apos;s Setup tab.</source>
        <translation>No se pudo iniciar '{}' ({}); elija otro Python en la pestaña Configuración de Claro.</translation>
    </message>
    <message>
        <source>The job&apos;s Python process did not start; see its log {}.</source>
        <translation>El proceso de Python del trabajo no se inició; vea su registro {}.</translation>
    </message>
    <message>
        <source>IoU of the target class ({})</source>
        <translation>IoU de la clase objetivo ({})</translation>
    </message>
    <message>
        <source>mean IoU of the {} classes</source>
        <translation>IoU media de las {} clases</translation>
    </message>
    <message>
        <source>Target IoU</source>
        <translation>IoU de la clase objetivo</translation>
    </message>
    <message>
        <source>training</source>
        <translation>entrenamiento</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validación</translation>
    </message>
    <message>
        <source>No Python with TensorFlow and GDAL was found, so Claro cannot train or predict yet.</source>
        <translation>No se encontró ningún Python con TensorFlow y GDAL, así que Claro aún no puede entrenar ni predecir.</translation>
    </message>
    <message>
        <source>Class values found in the labels; give each a name and a colour. The model, the legend and the style of the results use them. Remove a class (Delete key or right-click) to leave it out: its pixels are then ignored in training, like unlabelled pixels.</source>
        <translation>Valores de clase encontrados en las etiquetas; dé a cada uno un nombre y un color. El modelo, la leyenda y el estilo de los resultados los usan. Quite una clase (tecla Supr o clic derecho) para excluirla: sus píxeles se ignoran entonces en el entrenamiento, como los píxeles sin etiquetar.</translation>
    </message>
    <message>
        <source>Remove class</source>
        <translation>Quitar clase</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Datos</translation>
    </message>
    <message>
        <source>Training data: the image, the labels and the classes</source>
        <translation>Datos de entrenamiento: la imagen, las etiquetas y las clases</translation>
    </message>
    <message>
        <source>Train a U-Net on the training data</source>
        <translation>Entrena una U-Net con los datos de entrenamiento</translation>
    </message>
    <message>
        <source>Classify a raster with a trained model</source>
        <translation>Clasifica un ráster con un modelo entrenado</translation>
    </message>
    <message>
        <source>Setup</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>The Python environment with TensorFlow that runs the jobs</source>
        <translation>El entorno de Python con TensorFlow que ejecuta los procesos</translation>
    </message>
    <message>
        <source>Cut patches from layers</source>
        <translation>Cortar parches de capas</translation>
    </message>
    <message>
        <source>Cut the scenes below into a patch dataset, then train on it.</source>
        <translation>Corta las escenas de abajo en un conjunto de parches y luego entrena con él.</translation>
    </message>
    <message>
        <source>Train on a patch dataset folder made before (by Claro or an Earth Engine export with dataset.json); nothing is cut.</source>
        <translation>Entrena con una carpeta de conjunto de parches creada antes (por Claro o por una exportación de Earth Engine con dataset.json); no se corta nada.</translation>
    </message>
    <message>
        <source>Patch dataset</source>
        <translation>Conjunto de parches</translation>
    </message>
    <message>
        <source>List the class values found in the label layers (removed classes come back).</source>
        <translation>Lista los valores de clase encontrados en las capas de etiquetas (las clases quitadas vuelven).</translation>
    </message>
    <message>
        <source>Leave the selected class out: its pixels are then ignored in training, like unlabelled pixels.</source>
        <translation>Excluye la clase seleccionada: sus píxeles se ignoran entonces en el entrenamiento, como los píxeles sin etiquetar.</translation>
    </message>
    <message>
        <source>Loss and the IoU of the target class per epoch, on the training and the validation patches (see the legend).</source>
        <translation>Pérdida e IoU de la clase objetivo por época, en los parches de entrenamiento y de validación (vea la leyenda).</translation>
    </message>
    <message>
        <source>Also write probabilities</source>
        <translation>Escribir probabilidades</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>Reparar</translation>
    </message>
    <message>
        <source>Install TensorFlow again into the incomplete environment (asks before downloading).</source>
        <translation>Instala TensorFlow de nuevo en el entorno incompleto (pregunta antes de descargar).</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Delete the incomplete environment folder Claro made.</source>
        <translation>Borra la carpeta del entorno incompleto que creó Claro.</translation>
    </message>
    <message>
        <source>Stop creating the environment; it is left incomplete, to repair or remove.</source>
        <translation>Detiene la creación del entorno; queda incompleto, para repararlo o eliminarlo.</translation>
    </message>
    <message>
        <source>Choose a patch dataset folder.</source>
        <translation>Elija una carpeta de conjunto de parches.</translation>
    </message>
    <message>
        <source>Scene {} has no image layer; choose one or remove the scene.</source>
        <translation>La escena {} no tiene capa de imagen; elija una o quite la escena.</translation>
    </message>
    <message>
        <source>Scene {} has no label layer; choose one or remove the scene.</source>
        <translation>La escena {} no tiene capa de etiquetas; elija una o quite la escena.</translation>
    </message>
    <message>
        <source>The polygon label layers use different class fields ({}); all scenes are read with one field name, so give them the same one.</source>
        <translation>Las capas de etiquetas de polígonos usan distintos campos de clase ({}); todas las escenas se leen con un solo nombre de campo, así que deles el mismo.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ninguno</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found: create a TensorFlow environment or choose a Python in {}.</source>
        <translation>No se encontró ningún Python con TensorFlow: cree un entorno de TensorFlow o elija un Python en {}.</translation>
    </message>
    <message>
        <source>Resume: training goes on with the patches already in {}; they are not cut again.</source>
        <translation>Reanudar: el entrenamiento continúa con los parches que ya están en {}; no se vuelven a cortar.</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Entrenando…</translation>
    </message>
    <message>
        <source>loss {} (validation {})</source>
        <translation>pérdida {} (validación {})</translation>
    </message>
    <message>
        <source>{} {} (validation {})</source>
        <translation>{} {} (validación {})</translation>
    </message>
    <message>
        <source>Warning: the validation patches hold no {} pixels, so {} scores are n/a; another split (Data ▸ Advanced) or more labels would score them.</source>
        <translation>Aviso: los parches de validación no contienen píxeles de {}, así que {} puntuaciones son n/a; otra división (Datos ▸ Avanzado) o más etiquetas permitirían evaluarlas.</translation>
    </message>
    <message>
        <source> or </source>
        <translation> o </translation>
    </message>
    <message>
        <source>its</source>
        <translation>sus</translation>
    </message>
    <message>
        <source>their</source>
        <translation>sus</translation>
    </message>
    <message>
        <source>Choose the raster to classify (Raster layer) in Predict.</source>
        <translation>Elija el ráster a clasificar (Capa ráster) en Predecir.</translation>
    </message>
    <message>
        <source>Choose the Python with TensorFlow</source>
        <translation>Elija el Python con TensorFlow</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found. Click 'Create…' or choose an existing Python.</source>
        <translation>No se encontró ningún Python con TensorFlow. Haga clic en 'Crear…' o elija un Python existente.</translation>
    </message>
    <message>
        <source>Claro&apos;s {} tab</source>
        <translation>la pestaña {} de Claro</translation>
    </message>
    <message>
        <source>No GPU found: Train offers a lighter U-Net (depth {}, {} base filters), which a CPU trains much faster; set Depth and Base filters back to {} and {} for the full one.</source>
        <translation>No se encontró ninguna GPU: Entrenar propone una U-Net más ligera (profundidad {}, {} filtros base), que una CPU entrena mucho más rápido; vuelva a poner Profundidad y Filtros base en {} y {} para la completa.</translation>
    </message>
    <message>
        <source>The environment in {} is incomplete (its installation did not finish), so it is not used: repair or remove it.</source>
        <translation>El entorno en {} está incompleto (su instalación no terminó), así que no se usa: repárelo o elimínelo.</translation>
    </message>
    <message>
        <source>Install {} again into the environment in
{}? This downloads several hundred MB and takes a few minutes.</source>
        <translation>¿Instalar {} de nuevo en el entorno en
{}? Esto descarga varios cientos de MB y tarda unos minutos.</translation>
    </message>
    <message>
        <source>Create a Python environment in
{1}
and install {0} into it? This downloads several hundred MB and takes a few minutes.</source>
        <translation>¿Crear un entorno de Python en
{1}
e instalar {0} en él? Esto descarga varios cientos de MB y tarda unos minutos.</translation>
    </message>
    <message>
        <source>Delete the incomplete environment in
{}?</source>
        <translation>¿Borrar el entorno incompleto en
{}?</translation>
    </message>
    <message>
        <source>The folder &apos;{}&apos; was not made by Claro; remove it yourself if you no longer need it.</source>
        <translation>La carpeta '{}' no la creó Claro; elimínela usted mismo si ya no la necesita.</translation>
    </message>
    <message>
        <source>{} Choose another Python or create a TensorFlow environment in {}.</source>
        <translation>{} Elija otro Python o cree un entorno de TensorFlow en {}.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; has no {}, so Claro cannot run with it: create a TensorFlow environment or choose another Python in {}.</source>
        <translation>El Python '{}' no tiene {}, así que Claro no puede funcionar con él: cree un entorno de TensorFlow o elija otro Python en {}.</translation>
    </message>
    <message>
        <source>GDAL&apos;s Python bindings</source>
        <translation>los enlaces de GDAL para Python</translation>
    </message>
    <message>
        <source>Claro&apos;s Python does not start, so Claro cannot train or predict yet.</source>
        <translation>El Python de Claro no se inicia, así que Claro aún no puede entrenar ni predecir.</translation>
    </message>
    <message>
        <source>Claro&apos;s Python has no {}, so Claro cannot train or predict yet.</source>
        <translation>El Python de Claro no tiene {}, así que Claro aún no puede entrenar ni predecir.</translation>
    </message>
    <message>
        <source>does not start ({})</source>
        <translation>no se inicia ({})</translation>
    </message>
    <message>
        <source>gave an unreadable answer</source>
        <translation>dio una respuesta ilegible</translation>
    </message>
    <message>
        <source>is Python {}, QGIS runs on Python {}</source>
        <translation>es Python {}, QGIS usa Python {}</translation>
    </message>
    <message>
        <source>has no GDAL Python bindings</source>
        <translation>no tiene los enlaces de GDAL para Python</translation>
    </message>
    <message>
        <source>has GDAL {}, QGIS has GDAL {}</source>
        <translation>tiene GDAL {}, QGIS tiene GDAL {}</translation>
    </message>
    <message>
        <source>cannot make environments (its venv module is missing: install python3-venv)</source>
        <translation>no puede crear entornos (le falta el módulo venv: instale python3-venv)</translation>
    </message>
    <message>
        <source>No Python with QGIS&apos;s Python version and GDAL was found to build the environment from ({}); choose an existing Python with TensorFlow instead.</source>
        <translation>No se encontró ningún Python con la versión de Python y el GDAL de QGIS a partir del cual crear el entorno ({}); elija en su lugar un Python existente con TensorFlow.</translation>
    </message>
    <message>
        <source>no Python program found</source>
        <translation>no se encontró ningún programa Python</translation>
    </message>
    <message>
        <source>Repair TensorFlow environment</source>
        <translation>Reparar entorno de TensorFlow</translation>
    </message>
    <message>
        <source>Made by the Claro QGIS plugin; its Remove button may delete this folder.</source>
        <translation>Creado por el complemento Claro de QGIS; su botón Eliminar puede borrar esta carpeta.</translation>
    </message>
    <message>
        <source>Installed and checked by Claro.</source>
        <translation>Instalado y verificado por Claro.</translation>
    </message>
    <message>
        <source>under a minute per epoch</source>
        <translation>menos de un minuto por época</translation>
    </message>
    <message>
        <source>about {} min per epoch</source>
        <translation>unos {} min por época</translation>
    </message>
    <message>
        <source>Cancelled after epoch {}: {} holds the best model so far (epoch {}), and its resume state is kept; train again with --resume to continue.</source>
        <translation>Cancelado tras la época {}: {} contiene el mejor modelo hasta el momento (época {}) y se conserva su estado para reanudar; vuelva a entrenar con --resume para continuar.</translation>
    </message>
    <message>
        <source>{} (cancelled)</source>
        <translation>{} (cancelado)</translation>
    </message>
    <message>
        <source>A field named class, label, landcover, classe or clase is picked automatically.</source>
        <translation>Se elige automáticamente un campo llamado class, label, landcover, classe o clase.</translation>
    </message>
    <message>
        <source>Remove scene</source>
        <translation>Quitar escena</translation>
    </message>
    <message>
        <source>Leave this image and its labels out of the training data.</source>
        <translation>Excluye esta imagen y sus etiquetas de los datos de entrenamiento.</translation>
    </message>
    <message>
        <source>Add scene</source>
        <translation>Añadir escena</translation>
    </message>
    <message>
        <source>Add another image with its labels; all scenes are cut into one patch dataset and the class table lists the classes of all of them.</source>
        <translation>Añade otra imagen con sus etiquetas; todas las escenas se cortan en un único conjunto de parches y la tabla de clases muestra las clases de todas ellas.</translation>
    </message>
    <message>
        <source>The label layer &apos;{}&apos; holds {} different values: this looks like an image, not labels; choose a raster of class values (or polygons) as the label layer.</source>
        <translation>La capa de etiquetas '{}' contiene {} valores distintos: parece una imagen, no etiquetas; elija como capa de etiquetas un ráster de valores de clase (o polígonos).</translation>
    </message>
    <message>
        <source>Classes: {}</source>
        <translation>Clases: {}</translation>
    </message>
    <message>
        <source>{} × {} pixels, {} bands</source>
        <translation>{} × {} píxeles, {} bandas</translation>
    </message>
    <message>
        <source>Scene: {} + {}</source>
        <translation>Escena: {} + {}</translation>
    </message>
    <message>
        <source>tick {} in {}</source>
        <translation>marque {} en {}</translation>
    </message>
    <message>
        <source>untick {} in {}</source>
        <translation>desmarque {} en {}</translation>
    </message>
    <message>
        <source>with {} ticked in {}</source>
        <translation>con {} marcado en {}</translation>
    </message>
    <message>
        <source>with {} unticked in {}</source>
        <translation>con {} desmarcado en {}</translation>
    </message>
    <message>
        <source>choose {} in {}</source>
        <translation>elija {} en {}</translation>
    </message>
    <message>
        <source>in {} ({})</source>
        <translation>en {} ({})</translation>
    </message>
    <message>
        <source>{} in {}</source>
        <translation>{} en {}</translation>
    </message>
    <message>
        <source>Open the Setup tab.</source>
        <translation>Abre la pestaña Configuración.</translation>
    </message>
    <message>
        <source>Choose an image layer in Data.</source>
        <translation>Elija una capa de imagen en Datos.</translation>
    </message>
    <message>
        <source>Choose a label layer in Data.</source>
        <translation>Elija una capa de etiquetas en Datos.</translation>
    </message>
    <message>
        <source>Choose an output folder for the patches in Data.</source>
        <translation>Elija una carpeta de salida para los parches en Datos.</translation>
    </message>
    <message>
        <source>Choose the patch dataset folder in Data.</source>
        <translation>Elija la carpeta del conjunto de parches en Datos.</translation>
    </message>
    <message>
        <source>the Setup tab of Claro&apos;s dock</source>
        <translation>la pestaña Configuración del panel de Claro</translation>
    </message>
    <message>
        <source>Cancelled; the environment is left incomplete: repair or remove it in the Setup tab.</source>
        <translation>Cancelado; el entorno queda incompleto: repárelo o elimínelo en la pestaña Configuración.</translation>
    </message>
    <message>
        <source>Existing patch dataset</source>
        <translation>Parches existentes</translation>
    </message>
    <message>
        <source>Read classes</source>
        <translation>Leer clases</translation>
    </message>
    <message>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>Draw an accuracy sample (stratified random points)</source>
        <translation>Extraer una muestra para evaluar la exactitud (puntos aleatorios estratificados)</translation>
    </message>
    <message>
        <source>Assess accuracy and areas from a labelled sample</source>
        <translation>Evaluar la exactitud y las áreas a partir de una muestra etiquetada</translation>
    </message>
    <message>
        <source>Points drawn</source>
        <translation>Puntos extraídos</translation>
    </message>
    <message>
        <source>Overall accuracy: half-width of the 95 % confidence interval</source>
        <translation>Exactitud global: semiamplitud del intervalo de confianza del 95 %</translation>
    </message>
    <message>
        <source>Labelled points used</source>
        <translation>Puntos etiquetados usados</translation>
    </message>
    <message>
        <source>Whole raster</source>
        <translation>Ráster completo</translation>
    </message>
    <message>
        <source>Polygon layer</source>
        <translation>Capa de polígonos</translation>
    </message>
    <message>
        <source>Selected features of the layer</source>
        <translation>Entidades seleccionadas</translation>
    </message>
    <message>
        <source>Current map extent</source>
        <translation>Extensión actual del mapa</translation>
    </message>
    <message>
        <source>Choose the polygon layer of the area of interest in Predict.</source>
        <translation>Elija la capa de polígonos del área de interés en Predecir.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is not a polygon layer; an area of interest is drawn as polygons.</source>
        <translation>La capa '{}' no es una capa de polígonos; un área de interés se dibuja como polígonos.</translation>
    </message>
    <message>
        <source>The area of interest could not be saved as a GeoPackage in {} ({}).</source>
        <translation>No se pudo guardar el área de interés como GeoPackage en {} ({}).</translation>
    </message>
    <message>
        <source>map extent</source>
        <translation>extensión del mapa</translation>
    </message>
    <message>
        <source>There is no map extent to use as area of interest; open a map first.</source>
        <translation>No hay una extensión del mapa que usar como área de interés; abra primero un mapa.</translation>
    </message>
    <message>
        <source>No feature of the layer &apos;{}&apos; is selected; select the polygons of the area of interest on the map, or choose the whole layer.</source>
        <translation>No hay ninguna entidad seleccionada en la capa '{}'; seleccione en el mapa los polígonos del área de interés o elija la capa completa.</translation>
    </message>
    <message>
        <source>The sample layer is not valid; load the GeoPackage from Draw a sample again.</source>
        <translation>La capa de muestra no es válida; vuelva a cargar el GeoPackage de Extraer una muestra.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; has no field &apos;{}&apos; to hold the labels; choose the sample Claro drew.</source>
        <translation>La capa '{}' no tiene el campo '{}' para guardar las etiquetas; elija la muestra que extrajo Claro.</translation>
    </message>
    <message>
        <source>Field &apos;{}&apos; of layer &apos;{}&apos; is not a whole number; choose the sample Claro drew.</source>
        <translation>El campo '{}' de la capa '{}' no es de números enteros; elija la muestra que extrajo Claro.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; cannot be written (read-only file?); copy the sample somewhere you can write and load it from there.</source>
        <translation>No se puede escribir en la capa '{}' (¿archivo de solo lectura?); copie la muestra a un lugar donde pueda escribir y cárguela desde allí.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; holds no point to label.</source>
        <translation>La capa '{}' no contiene ningún punto que etiquetar.</translation>
    </message>
    <message>
        <source>{} of {} labelled</source>
        <translation>{} de {} etiquetados</translation>
    </message>
    <message>
        <source>, {} skipped</source>
        <translation>, {} omitidos</translation>
    </message>
    <message>
        <source>Point {} of {} (id {})</source>
        <translation>Punto {} de {} (id {})</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; is being edited; save or discard its edits (Toggle Editing) so that labels go straight to the file.</source>
        <translation>La capa '{}' está en edición; guarde o descarte sus cambios (Conmutar edición) para que las etiquetas vayan directamente al archivo.</translation>
    </message>
    <message>
        <source>The label of point {} could not be saved to &apos;{}&apos;{}.</source>
        <translation>No se pudo guardar la etiqueta del punto {} en '{}'{}.</translation>
    </message>
    <message>
        <source>{} (uncertainty)</source>
        <translation>{} (incertidumbre)</translation>
    </message>
    <message>
        <source>Click to open the summary in your image viewer.</source>
        <translation>Haga clic para abrir el resumen en su visor de imágenes.</translation>
    </message>
    <message>
        <source>Assess</source>
        <translation>Exactitud</translation>
    </message>
    <message>
        <source>Accuracy and areas with confidence intervals from a labelled sample</source>
        <translation>Exactitud y áreas con intervalos de confianza a partir de una muestra etiquetada</translation>
    </message>
    <message>
        <source>The class or change map to assess (from Predict or a change map); its classes are the strata of the sample.</source>
        <translation>El mapa de clases o de cambio a evaluar (de Predecir o un mapa de cambio); sus clases son los estratos de la muestra.</translation>
    </message>
    <message>
        <source>Class map</source>
        <translation>Mapa de clases</translation>
    </message>
    <message>
        <source>Optional: polygons the sample and the areas are limited to.</source>
        <translation>Opcional: polígonos a los que se limitan la muestra y las áreas.</translation>
    </message>
    <message>
        <source>Area of interest</source>
        <translation>Área de interés</translation>
    </message>
    <message>
        <source>1. Draw a sample</source>
        <translation>1. Extraer una muestra</translation>
    </message>
    <message>
        <source>Draw sample</source>
        <translation>Extraer muestra</translation>
    </message>
    <message>
        <source>Draw a stratified random sample of the class map and add the points as a layer to label.</source>
        <translation>Extrae una muestra aleatoria estratificada del mapa de clases y añade los puntos como capa para etiquetar.</translation>
    </message>
    <message>
        <source>2. Label the points</source>
        <translation>2. Etiquetar los puntos</translation>
    </message>
    <message>
        <source>The points of a sample Claro drew (the GeoPackage from Draw sample).</source>
        <translation>Los puntos de una muestra que extrajo Claro (el GeoPackage de Extraer muestra).</translation>
    </message>
    <message>
        <source>Sample layer</source>
        <translation>Muestra</translation>
    </message>
    <message>
        <source>The map scale each point is shown at, centred on it.</source>
        <translation>La escala del mapa a la que se muestra cada punto, centrado en él.</translation>
    </message>
    <message>
        <source>Zoom to scale</source>
        <translation>Escala</translation>
    </message>
    <message>
        <source>Images to look at (only these are shown while labelling):</source>
        <translation>Imágenes a mirar (solo estas se ven al etiquetar):</translation>
    </message>
    <message>
        <source>Tick the images that show what is on the ground, e.g. the images before and after the change; the class map is not listed (blind labelling).</source>
        <translation>Marque las imágenes que muestran lo que hay en el terreno, p. ej. las imágenes antes y después del cambio; el mapa de clases no aparece (etiquetado a ciegas).</translation>
    </message>
    <message>
        <source>Show the map class</source>
        <translation>Mostrar clase del mapa</translation>
    </message>
    <message>
        <source>Good practice is to label blind: the map&apos;s answer biases the reference. Tick to show the point&apos;s map class and the map layer.</source>
        <translation>La buena práctica es etiquetar a ciegas: la respuesta del mapa sesga la referencia. Marque para mostrar la clase del mapa en el punto y la capa del mapa.</translation>
    </message>
    <message>
        <source>Start labelling</source>
        <translation>Iniciar etiquetado</translation>
    </message>
    <message>
        <source>Show only the chosen images and step through the points; Stop labelling restores the layers&apos; visibility.</source>
        <translation>Muestra solo las imágenes elegidas y recorre los puntos uno a uno; Detener etiquetado restablece la visibilidad de las capas.</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Anterior</translation>
    </message>
    <message>
        <source>Go back to the previous point.</source>
        <translation>Vuelve al punto anterior.</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Omitir</translation>
    </message>
    <message>
        <source>Unsure: leave this point without a label (a label it had is removed) and go to the next; &apos;claro assess&apos; counts it as skipped.</source>
        <translation>Dudoso: deja este punto sin etiqueta (se quita la que tuviera) y pasa al siguiente; 'claro assess' lo cuenta como omitido.</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
    <message>
        <source>Go to the next point without changing this one&apos;s label.</source>
        <translation>Pasa al punto siguiente sin cambiar la etiqueta de este.</translation>
    </message>
    <message>
        <source>First unlabelled point</source>
        <translation>Primer sin etiquetar</translation>
    </message>
    <message>
        <source>Jump to the first point without a label (passing over those skipped).</source>
        <translation>Salta al primer punto sin etiqueta (pasando por alto los omitidos).</translation>
    </message>
    <message>
        <source>3. Assess</source>
        <translation>3. Evaluar la exactitud</translation>
    </message>
    <message>
        <source>Estimate accuracies and class areas with 95 % confidence intervals from the labelled sample.</source>
        <translation>Estima las exactitudes y las áreas por clase con intervalos de confianza del 95 % a partir de la muestra etiquetada.</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Clase</translation>
    </message>
    <message>
        <source>Map ha</source>
        <translation>ha mapeadas</translation>
    </message>
    <message>
        <source>Estimated ha</source>
        <translation>ha estimadas</translation>
    </message>
    <message>
        <source>User&apos;s</source>
        <translation>Usuario</translation>
    </message>
    <message>
        <source>Producer&apos;s</source>
        <translation>Productor</translation>
    </message>
    <message>
        <source>Per class: the map's area, the estimated area ± its 95 % interval, and user's and producer's accuracy ± their 95 % intervals.</source>
        <translation>Por clase: el área del mapa, el área estimada ± su intervalo del 95 %, y la exactitud del usuario y del productor ± sus intervalos del 95 %.</translation>
    </message>
    <message>
        <source>Choose the class map to sample (Class map) in Assess.</source>
        <translation>Elija el mapa de clases a muestrear (Mapa de clases) en Exactitud.</translation>
    </message>
    <message>
        <source>Choose where to write the sample points (Sample points) in Assess.</source>
        <translation>Elija dónde escribir los puntos de muestra (Puntos de muestra) en Exactitud.</translation>
    </message>
    <message>
        <source>Drawing the sample…</source>
        <translation>Extrayendo la muestra…</translation>
    </message>
    <message>
        <source>Claro: sample {}</source>
        <translation>Claro: muestrear {}</translation>
    </message>
    <message>
        <source>{} points written to {}; label them below.</source>
        <translation>{} puntos escritos en {}; etiquételos abajo.</translation>
    </message>
    <message>
        <source>Sample added as layer &apos;{}&apos;.</source>
        <translation>Muestra añadida como capa '{}'.</translation>
    </message>
    <message>
        <source>The classes of layer &apos;{}&apos; are not known; choose its class map (Class map).</source>
        <translation>No se conocen las clases de la capa '{}'; elija su mapa de clases (Mapa de clases).</translation>
    </message>
    <message>
        <source>Label this point {} (value {}) and go to the next.</source>
        <translation>Etiqueta este punto como {} (valor {}) y pasa al siguiente.</translation>
    </message>
    <message>
        <source>Choose the sample layer to label (Sample layer) in Assess.</source>
        <translation>Elija la capa de muestra a etiquetar (Muestra) en Exactitud.</translation>
    </message>
    <message>
        <source>Labelled: {}</source>
        <translation>Etiquetado: {}</translation>
    </message>
    <message>
        <source>Skipped (no label)</source>
        <translation>Omitido (sin etiqueta)</translation>
    </message>
    <message>
        <source>Not labelled</source>
        <translation>Sin etiquetar</translation>
    </message>
    <message>
        <source>Map class: {}</source>
        <translation>Clase del mapa: {}</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>desconocida</translation>
    </message>
    <message>
        <source>Stop labelling</source>
        <translation>Detener etiquetado</translation>
    </message>
    <message>
        <source>Choose the labelled sample (Sample layer) in Assess.</source>
        <translation>Elija la muestra etiquetada (Muestra) en Exactitud.</translation>
    </message>
    <message>
        <source>Choose the class map the sample was drawn from (Class map) in Assess.</source>
        <translation>Elija el mapa de clases del que se extrajo la muestra (Mapa de clases) en Exactitud.</translation>
    </message>
    <message>
        <source>Choose where to write the report (Report) in Assess.</source>
        <translation>Elija dónde escribir el informe (Informe) en Exactitud.</translation>
    </message>
    <message>
        <source>Assessing…</source>
        <translation>Evaluando…</translation>
    </message>
    <message>
        <source>Claro: assess {}</source>
        <translation>Claro: evaluar {}</translation>
    </message>
    <message>
        <source>The report {} could not be read: {}</source>
        <translation>No se pudo leer el informe {}: {}</translation>
    </message>
    <message>
        <source>Overall accuracy cannot be estimated yet (see the notes).</source>
        <translation>Aún no se puede estimar la exactitud global (vea las notas).</translation>
    </message>
    <message>
        <source>Overall accuracy {} (no confidence interval: see the notes)</source>
        <translation>Exactitud global {} (sin intervalo de confianza: vea las notas)</translation>
    </message>
    <message>
        <source>Overall accuracy {} (95 % confidence interval)</source>
        <translation>Exactitud global {} (intervalo de confianza del 95 %)</translation>
    </message>
    <message>
        <source>The polygons of the area of interest (all of them, or the selected ones).</source>
        <translation>Los polígonos del área de interés (todos o los seleccionados).</translation>
    </message>
    <message>
        <source>Area layer</source>
        <translation>Capa del área</translation>
    </message>
    <message>
        <source>Fast mode (bfloat16)</source>
        <translation>Modo rápido (bfloat16)</translation>
    </message>
    <message>
        <source>Hectares</source>
        <translation>Hectáreas</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Proporción</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>Píxeles</translation>
    </message>
    <message>
        <source>True area of every class on the WGS84 ellipsoid, after the minimum mapping unit.</source>
        <translation>Área real de cada clase sobre el elipsoide WGS84, tras aplicar la unidad mínima de mapeo.</translation>
    </message>
    <message>
        <source>Test-time augmentation (8× slower)</source>
        <translation>Aumento TTA (8× más lento)</translation>
    </message>
    <message>
        <source>Needs test-time augmentation.</source>
        <translation>Requiere el aumento en predicción (TTA).</translation>
    </message>
    <message>
        <source>No area table: {} has no coordinate reference system, so its pixels have no true area; assign one to the image (Raster ▸ Projections ▸ Assign Projection) and predict again to get hectares.</source>
        <translation>Sin tabla de áreas: {} no tiene sistema de referencia de coordenadas, así que sus píxeles no tienen área real; asigne uno a la imagen (Ráster ▸ Proyecciones ▸ Asignar proyección) y vuelva a predecir para obtener hectáreas.</translation>
    </message>
    <message>
        <source>the class raster</source>
        <translation>el ráster de clases</translation>
    </message>
    <message>
        <source>True area per class on the WGS84 ellipsoid (also in {}):</source>
        <translation>Área real por clase sobre el elipsoide WGS84 (también en {}):</translation>
    </message>
    <message>
        <source>True area per class on the WGS84 ellipsoid:</source>
        <translation>Área real por clase sobre el elipsoide WGS84:</translation>
    </message>
    <message>
        <source>Change between two class maps</source>
        <translation>Cambio entre dos mapas de clases</translation>
    </message>
    <message>
        <source>Hectares changed</source>
        <translation>Hectáreas cambiadas</translation>
    </message>
    <message>
        <source>Hectares compared</source>
        <translation>Hectáreas comparadas</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <source>Compare two class maps: what changed where, in hectares</source>
        <translation>Comparar dos mapas de clases: qué cambió y dónde, en hectáreas</translation>
    </message>
    <message>
        <source>Changes to show (nothing ticked: every change):</source>
        <translation>Cambios a mostrar (nada marcado: todos):</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Comparar</translation>
    </message>
    <message>
        <source>Compare the two maps and add the change map as a layer.</source>
        <translation>Comparar los dos mapas y añadir el mapa de cambio como capa.</translation>
    </message>
    <message>
        <source>Hectares (true areas on the WGS84 ellipsoid) of every from→to pair: rows the before map's class, columns the after map's.</source>
        <translation>Hectáreas (áreas reales sobre el elipsoide WGS84) de cada par origen→destino: filas la clase del mapa de antes, columnas la del mapa de después.</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Antes</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Después</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Hacia</translation>
    </message>
    <message>
        <source>{} (from the file)</source>
        <translation>{} (del archivo)</translation>
    </message>
    <message>
        <source>none in the file</source>
        <translation>ninguna en el archivo</translation>
    </message>
    <message>
        <source>Choose the earlier class map (Before) in Change.</source>
        <translation>Elija el mapa de clases anterior (Antes) en Cambio.</translation>
    </message>
    <message>
        <source>Choose the later class map (After) in Change.</source>
        <translation>Elija el mapa de clases posterior (Después) en Cambio.</translation>
    </message>
    <message>
        <source>Before and After are the same layer; choose the maps of two dates in Change.</source>
        <translation>Antes y Después son la misma capa; elija los mapas de dos fechas en Cambio.</translation>
    </message>
    <message>
        <source>Choose where to write the change raster (Change raster) in Change.</source>
        <translation>Elija dónde escribir el ráster de cambio (Ráster de cambio) en Cambio.</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>Comparando…</translation>
    </message>
    <message>
        <source>Claro: change {}</source>
        <translation>Claro: cambio {}</translation>
    </message>
    <message>
        <source>Change map added as layer &apos;{}&apos;: {} ha changed of {} ha compared.</source>
        <translation>Mapa de cambio añadido como capa '{}': {} ha cambiaron de {} ha comparadas.</translation>
    </message>
    <message>
        <source>To {}</source>
        <translation>Hacia {}</translation>
    </message>
    <message>
        <source>From {}</source>
        <translation>Desde {}</translation>
    </message>
    <message>
        <source>{} → {}: {} ha</source>
        <translation>{} → {}: {} ha</translation>
    </message>
    <message>
        <source>no date</source>
        <translation>sin fecha</translation>
    </message>
    <message>
        <source>Hectares from {} (rows) to {} (columns), {} ha changed. Table: {}</source>
        <translation>Hectáreas de {} (filas) a {} (columnas), {} ha cambiaron. Tabla: {}</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>Modelo ONNX (*.onnx)</translation>
    </message>
    <message>
        <source>Describe TFRecords (Earth Engine export)</source>
        <translation>Describir TFRecords (exportación de Earth Engine)</translation>
    </message>
    <message>
        <source>Export model for Deepness (ONNX)</source>
        <translation>Exportar modelo para Deepness (ONNX)</translation>
    </message>
    <message>
        <source>Dask (prediction on a cluster)</source>
        <translation>Dask (predicción en un clúster)</translation>
    </message>
    <message>
        <source>Install dask and distributed, so Predict can run on a Dask cluster or on several processes of this machine (Predict ▸ Advanced ▸ Dask scheduler).</source>
        <translation>Instala dask y distributed, para que Predecir pueda ejecutarse en un clúster Dask o en varios procesos de esta máquina (Predecir ▸ Avanzado ▸ Planificador Dask).</translation>
    </message>
    <message>
        <source>ONNX export (for Deepness)</source>
        <translation>Exportación ONNX (para Deepness)</translation>
    </message>
    <message>
        <source>Install tf2onnx, onnx and onnxruntime, so a trained model can be exported for the Deepness plugin (Processing ▸ Claro ▸ Export model for Deepness).</source>
        <translation>Instala tf2onnx, onnx y onnxruntime, para que un modelo entrenado pueda exportarse para el complemento Deepness (Procesos ▸ Claro ▸ Exportar modelo para Deepness).</translation>
    </message>
    <message>
        <source>Dask {}</source>
        <translation>Dask {}</translation>
    </message>
    <message>
        <source>no Dask</source>
        <translation>sin Dask</translation>
    </message>
    <message>
        <source>ONNX export (tf2onnx {})</source>
        <translation>exportación ONNX (tf2onnx {})</translation>
    </message>
    <message>
        <source>no ONNX export</source>
        <translation>sin exportación ONNX</translation>
    </message>
    <message>
        <source>Predicting on a Dask cluster needs dask and distributed in Claro's Python ({}): tick {} and click Create… in {}, or install them into that Python with: pip install {}</source>
        <translation>Predecir en un clúster Dask requiere dask y distributed en el Python de Claro ({}): marque {} y pulse Crear… en {}, o instálelos en ese Python con: pip install {}</translation>
    </message>
    <message>
        <source>Bands: {}</source>
        <translation>Bandas: {}</translation>
    </message>
    <message>
        <source>Earth Engine TFRecords</source>
        <translation>TFRecords de Earth Engine</translation>
    </message>
    <message>
        <source>Train on a folder of TFRecord files exported from Earth Engine (or another tool): Describe reads them and writes their dataset.json, then it trains like an existing patch dataset.</source>
        <translation>Entrenar con una carpeta de archivos TFRecord exportados desde Earth Engine (u otra herramienta): Describir los lee y escribe su dataset.json; después se entrena como con un conjunto de parches existente.</translation>
    </message>
    <message>
        <source>Describe</source>
        <translation>Describir</translation>
    </message>
    <message>
        <source>Read every TFRecord file of the folder (features, patch size, classes, band statistics, split) and write its dataset.json; describe again after changing the label feature or the bands.</source>
        <translation>Lee todos los archivos TFRecord de la carpeta (atributos, tamaño de parche, clases, estadísticas de bandas, división) y escribe su dataset.json; vuelva a describir tras cambiar el atributo de etiqueta o las bandas.</translation>
    </message>
    <message>
        <source>TFRecord folder</source>
        <translation>Carpeta de TFRecords</translation>
    </message>
    <message>
        <source>Choose the folder of TFRecord files.</source>
        <translation>Elija la carpeta de archivos TFRecord.</translation>
    </message>
    <message>
        <source>{} TFRecord files, not described yet: Describe reads them (bands, patch size, classes, patches per split); Train describes them first.</source>
        <translation>{} archivos TFRecord, aún sin describir: Describir los lee (bandas, tamaño de parche, clases, parches por división); Entrenar los describe primero.</translation>
    </message>
    <message>
        <source>Choose the folder of TFRecord files in Data.</source>
        <translation>Elija la carpeta de archivos TFRecord en Datos.</translation>
    </message>
    <message>
        <source>Describing the TFRecords…</source>
        <translation>Describiendo los TFRecords…</translation>
    </message>
    <message>
        <source>Claro: describe {}</source>
        <translation>Claro: describir {}</translation>
    </message>
    <message>
        <source>Described: {}</source>
        <translation>Descrito: {}</translation>
    </message>
    <message>
        <source>tcp://host:8786 or local:2</source>
        <translation>tcp://host:8786 o local:2</translation>
    </message>
    <message>
        <source>Also install (optional):</source>
        <translation>Instalar también (opcional):</translation>
    </message>
    <message>
        <source>Tick before Create…; for an environment Claro made already, Create… adds them.</source>
        <translation>Márquelos antes de Crear…; en un entorno que Claro ya creó, Crear… los añade.</translation>
    </message>
    <message>
        <source>Not described yet: Describe reads the TFRecord files of this folder (bands, patch size, classes, patches per split); Train describes them first.</source>
        <translation>Aún sin describir: Describir lee los archivos TFRecord de esta carpeta (bandas, tamaño de parche, clases, parches por división); Entrenar los describe primero.</translation>
    </message>
</context>
<context>
    <name>params</name>
    <message>
        <source>Image rasters</source>
        <translation>Rásteres de imagen</translation>
    </message>
    <message>
        <source>Image raster; repeat the flag for several scenes (paired in order with --labels).</source>
        <translation>Ráster de imagen; repita la opción para varias escenas (emparejadas en orden con --labels).</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>Label raster (class values) or polygon file (GeoPackage, GeoJSON, Shapefile), one per --image.</source>
        <translation>Ráster de etiquetas (valores de clase) o archivo de polígonos (GeoPackage, GeoJSON, Shapefile), uno por cada --image.</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>Carpeta de salida</translation>
    </message>
    <message>
        <source>Folder to write the patch dataset into (TFRecord shards and dataset.json).</source>
        <translation>Carpeta donde se escribe el conjunto de parches (fragmentos TFRecord y dataset.json).</translation>
    </message>
    <message>
        <source>Class field</source>
        <translation>Campo de clase</translation>
    </message>
    <message>
        <source>Attribute holding the class value when labels are polygons; without it every polygon is class 1.</source>
        <translation>Atributo con el valor de clase cuando las etiquetas son polígonos; sin él, todo polígono es de la clase 1.</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>Fondo</translation>
    </message>
    <message>
        <source>Class of pixels outside every polygon: a class value, or &apos;ignore&apos; when polygons of every class were drawn.</source>
        <translation>Clase de los píxeles fuera de todo polígono: un valor de clase, o 'ignore' cuando se dibujaron polígonos de todas las clases.</translation>
    </message>
    <message>
        <source>Patch size</source>
        <translation>Tamaño de parche</translation>
    </message>
    <message>
        <source>Width and height of a patch in pixels.</source>
        <translation>Ancho y alto de un parche en píxeles.</translation>
    </message>
    <message>
        <source>Stride</source>
        <translation>Paso</translation>
    </message>
    <message>
        <source>Step between patches in pixels (default: the patch size, so no overlap).</source>
        <translation>Desplazamiento entre parches en píxeles (predeterminado: el tamaño de parche, sin solapamiento).</translation>
    </message>
    <message>
        <source>Bands</source>
        <translation>Bandas</translation>
    </message>
    <message>
        <source>1-based band numbers to use, comma separated (default: all bands).</source>
        <translation>Números de banda a usar, empezando en 1, separados por comas (predeterminado: todas las bandas).</translation>
    </message>
    <message>
        <source>Ignore value</source>
        <translation>Valor a ignorar</translation>
    </message>
    <message>
        <source>Label value meaning &apos;not labelled&apos;; label nodata and image nodata pixels become it too.</source>
        <translation>Valor de etiqueta que significa 'sin etiquetar'; los píxeles sin datos de las etiquetas y de la imagen también toman este valor.</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>División</translation>
    </message>
    <message>
        <source>Fractions for train, validation and test, comma separated; made by spatial blocks.</source>
        <translation>Fracciones para entrenamiento, validación y prueba, separadas por comas; la división se hace por bloques espaciales.</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semilla</translation>
    </message>
    <message>
        <source>Random seed for the split.</source>
        <translation>Semilla aleatoria para la división.</translation>
    </message>
    <message>
        <source>Minimum labelled fraction</source>
        <translation>Fracción mínima etiquetada</translation>
    </message>
    <message>
        <source>Drop patches whose labelled (non-ignored) fraction of pixels is below this.</source>
        <translation>Descarta los parches cuya fracción de píxeles etiquetados (no ignorados) sea menor que este valor.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Clases</translation>
    </message>
    <message>
        <source>Class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos; (default: from the label values).</source>
        <translation>Nombres y colores de las clases, p. ej. '0:forest:#1a9641,1:cleared:#d7191c' (predeterminado: a partir de los valores de las etiquetas).</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>Sobrescribir</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <source>How to report progress: a bar on a terminal, or one JSON object per line for programs.</source>
        <translation>Cómo informar el progreso: una barra en la terminal, o un objeto JSON por línea para programas.</translation>
    </message>
    <message>
        <source>Patch dataset</source>
        <translation>Conjunto de parches</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>Archivo de modelo</translation>
    </message>
    <message>
        <source>Where to save the trained model (.keras).</source>
        <translation>Dónde guardar el modelo entrenado (.keras).</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Épocas</translation>
    </message>
    <message>
        <source>Maximum number of passes over the training patches.</source>
        <translation>Número máximo de pasadas sobre los parches de entrenamiento.</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Tamaño de lote</translation>
    </message>
    <message>
        <source>Patches per training step; lower it if memory runs out.</source>
        <translation>Parches por paso de entrenamiento; redúzcalo si se agota la memoria.</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Adam learning rate.</source>
        <translation>Tasa de aprendizaje del optimizador Adam.</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Profundidad</translation>
    </message>
    <message>
        <source>Number of U-Net levels (5 gives the notebook's 32→1024 U-Net).</source>
        <translation>Número de niveles de la U-Net (5 da la U-Net 32→1024 del notebook).</translation>
    </message>
    <message>
        <source>Base filters</source>
        <translation>Filtros base</translation>
    </message>
    <message>
        <source>Filters of the first U-Net level; doubled at each level down.</source>
        <translation>Filtros del primer nivel de la U-Net; se duplican en cada nivel hacia abajo.</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Dropout rate in the U-Net&apos;s deepest blocks (0 = none).</source>
        <translation>Tasa de dropout en los bloques más profundos de la U-Net (0 = ninguno).</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>Aumento de datos</translation>
    </message>
    <message>
        <source>Augment training patches with flips, 90° rotations and small brightness changes per band (--no-augment turns it off).</source>
        <translation>Aumenta los parches de entrenamiento con volteos, rotaciones de 90° y pequeños cambios de brillo por banda (--no-augment lo desactiva).</translation>
    </message>
    <message>
        <source>Class weights</source>
        <translation>Pesos de clase</translation>
    </message>
    <message>
        <source>&apos;auto&apos; (inverse class frequency), &apos;none&apos;, or one weight per class, comma separated.</source>
        <translation>'auto' (inverso de la frecuencia de cada clase), 'none', o un peso por clase, separados por comas.</translation>
    </message>
    <message>
        <source>Patience</source>
        <translation>Paciencia</translation>
    </message>
    <message>
        <source>Stop after this many epochs without a better validation loss; the best weights are kept.</source>
        <translation>Se detiene tras este número de épocas sin mejorar la pérdida de validación; se conservan los mejores pesos.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Continue an interrupted training from its checkpoint.</source>
        <translation>Continúa un entrenamiento interrumpido desde su punto de control.</translation>
    </message>
    <message>
        <source>Random seed for weights and shuffling.</source>
        <translation>Semilla aleatoria para los pesos y la mezcla.</translation>
    </message>
    <message>
        <source>Trained model file (.keras).</source>
        <translation>Archivo del modelo entrenado (.keras).</translation>
    </message>
    <message>
        <source>Image raster</source>
        <translation>Ráster de imagen</translation>
    </message>
    <message>
        <source>Class raster</source>
        <translation>Ráster de clases</translation>
    </message>
    <message>
        <source>Output class GeoTIFF; a .qml style is written beside it.</source>
        <translation>GeoTIFF de clases de salida; a su lado se escribe un estilo .qml.</translation>
    </message>
    <message>
        <source>Probability raster</source>
        <translation>Ráster de probabilidades</translation>
    </message>
    <message>
        <source>Also write per-class probabilities (float32 GeoTIFF) to this path.</source>
        <translation>Escribe también las probabilidades por clase (GeoTIFF float32) en esta ruta.</translation>
    </message>
    <message>
        <source>Overlap</source>
        <translation>Solapamiento</translation>
    </message>
    <message>
        <source>Overlap between prediction windows as a fraction of the window; blended so no seams show.</source>
        <translation>Solapamiento entre ventanas de predicción como fracción de la ventana; se mezclan para que no se noten costuras.</translation>
    </message>
    <message>
        <source>Window size</source>
        <translation>Tamaño de ventana</translation>
    </message>
    <message>
        <source>Prediction window in pixels (default: from the model, at least 256).</source>
        <translation>Ventana de predicción en píxeles (predeterminado: la del modelo, al menos 256).</translation>
    </message>
    <message>
        <source>Windows per prediction step.</source>
        <translation>Ventanas por paso de predicción.</translation>
    </message>
    <message>
        <source>1-based band numbers to feed the model (default: the model&apos;s, else all).</source>
        <translation>Números de banda, empezando en 1, que recibe el modelo (predeterminado: las del modelo; si no, todas).</translation>
    </message>
    <message>
        <source>For a model without a Claro card: class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos;.</source>
        <translation>Para un modelo sin ficha de Claro: nombres y colores de las clases, p. ej. '0:forest:#1a9641,1:cleared:#d7191c'.</translation>
    </message>
    <message>
        <source>Class GeoTIFF made by &apos;claro predict&apos;.</source>
        <translation>GeoTIFF de clases creado con 'claro predict'.</translation>
    </message>
    <message>
        <source>Reference labels</source>
        <translation>Etiquetas de referencia</translation>
    </message>
    <message>
        <source>Reference raster or polygon file, in any CRS.</source>
        <translation>Ráster o archivo de polígonos de referencia, en cualquier SRC.</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Informe</translation>
    </message>
    <message>
        <source>Report to write (.json); a confusion-matrix PNG is written beside it.</source>
        <translation>Informe a escribir (.json); a su lado se escribe un PNG con la matriz de confusión.</translation>
    </message>
    <message>
        <source>Attribute holding the class value when the reference is polygons.</source>
        <translation>Atributo con el valor de clase cuando la referencia son polígonos.</translation>
    </message>
    <message>
        <source>Reference value meaning &apos;not labelled&apos;.</source>
        <translation>Valor de referencia que significa 'sin etiquetar'.</translation>
    </message>
    <message>
        <source>A patch dataset folder or a model file (.keras).</source>
        <translation>Una carpeta de conjunto de parches o un archivo de modelo (.keras).</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Print the summary as JSON.</source>
        <translation>Imprime el resumen como JSON.</translation>
    </message>
    <message>
        <source>Cut image rasters and labels into a TFRecord patch dataset (Earth Engine / ACCA schema).</source>
        <translation>Corta rásteres de imagen y etiquetas en un conjunto de parches TFRecord (esquema de Earth Engine / ACCA).</translation>
    </message>
    <message>
        <source>Train a U-Net on a patch dataset and save a self-describing .keras model.</source>
        <translation>Entrena una U-Net con un conjunto de parches y guarda un modelo .keras que se describe a sí mismo.</translation>
    </message>
    <message>
        <source>Classify a whole raster with a trained model, blending overlapping windows.</source>
        <translation>Clasifica un ráster completo con un modelo entrenado, mezclando ventanas solapadas.</translation>
    </message>
    <message>
        <source>Compare a class raster with reference labels: confusion matrix, IoU, F1.</source>
        <translation>Compara un ráster de clases con etiquetas de referencia: matriz de confusión, IoU, F1.</translation>
    </message>
    <message>
        <source>Print a patch dataset&apos;s summary or a model&apos;s card.</source>
        <translation>Muestra el resumen de un conjunto de parches o la ficha de un modelo.</translation>
    </message>
    <message>
        <source>Halve learning rate after</source>
        <translation>Tasa a la mitad tras</translation>
    </message>
    <message>
        <source>Halve the learning rate after this many epochs without a better validation loss (0 = never).</source>
        <translation>Reduce a la mitad la tasa de aprendizaje tras este número de épocas sin mejorar la pérdida de validación (0 = nunca).</translation>
    </message>
    <message>
        <source>Replace the output folder if it holds a patch dataset Claro made (a folder with other files is never replaced).</source>
        <translation>Reemplaza la carpeta de salida si contiene un conjunto de parches creado por Claro (una carpeta con otros archivos nunca se reemplaza).</translation>
    </message>
    <message>
        <source>F-beta β</source>
        <translation>β de F-beta</translation>
    </message>
    <message>
        <source>β of the F-beta score reported beside F1: above 1 favours recall (2: missing the class costs more than a false alarm), below 1 precision.</source>
        <translation>β de la puntuación F-beta indicada junto a F1: por encima de 1 favorece la exhaustividad (2: omitir la clase cuesta más que una falsa alarma), por debajo de 1 la precisión.</translation>
    </message>
    <message>
        <source>TensorBoard folder</source>
        <translation>Carpeta de TensorBoard</translation>
    </message>
    <message>
        <source>Also write TensorBoard logs (losses, learning rate, per-class scores per epoch) into this folder.</source>
        <translation>Escribe también registros de TensorBoard (pérdidas, tasa de aprendizaje, puntuaciones por clase en cada época) en esta carpeta.</translation>
    </message>
    <message>
        <source>Replace the model file (and its checkpoint, history and plots) if Claro made them.</source>
        <translation>Reemplaza el archivo del modelo (y su punto de control, historial y gráficos) si los creó Claro.</translation>
    </message>
    <message>
        <source>Class of pixels outside every reference polygon, or &apos;ignore&apos; to score only pixels inside the polygons.</source>
        <translation>Clase de los píxeles fuera de todo polígono de referencia, o 'ignore' para evaluar solo los píxeles dentro de los polígonos.</translation>
    </message>
    <message>
        <source>Replace the report and its figure if Claro made them.</source>
        <translation>Reemplaza el informe y su figura si los creó Claro.</translation>
    </message>
    <message>
        <source>Area of interest</source>
        <translation>Área de interés</translation>
    </message>
    <message>
        <source>Area of interest: polygons in any vector file and CRS (GeoPackage, Shapefile, GeoJSON…; its first polygon layer, or FILE|layername=NAME); pixels outside them are nodata and windows entirely outside are never computed.</source>
        <translation>Área de interés: polígonos en cualquier archivo vectorial y SRC (GeoPackage, Shapefile, GeoJSON…; su primera capa de polígonos, o FILE|layername=NAME); los píxeles fuera de ellos quedan sin datos (nodata) y las ventanas completamente fuera nunca se calculan.</translation>
    </message>
    <message>
        <source>Test-time augmentation</source>
        <translation>Aumento en predicción (TTA)</translation>
    </message>
    <message>
        <source>Average the model's probabilities over the eight flips and 90° rotations of every window: smoother, often slightly more accurate maps for about 8× the time.</source>
        <translation>Promedia las probabilidades del modelo sobre los ocho volteos y rotaciones de 90° de cada ventana: mapas más suaves y a menudo algo más exactos, a costa de unas 8× más tiempo.</translation>
    </message>
    <message>
        <source>Uncertainty raster</source>
        <translation>Ráster de incertidumbre</translation>
    </message>
    <message>
        <source>Also write a per-pixel uncertainty (float32 GeoTIFF, 0 = certain, 1 = as unsure as can be) to this path.</source>
        <translation>Escribe también una incertidumbre por píxel (GeoTIFF float32, 0 = certeza, 1 = incertidumbre máxima) en esta ruta.</translation>
    </message>
    <message>
        <source>Uncertainty measure</source>
        <translation>Medida de incertidumbre</translation>
    </message>
    <message>
        <source>entropy: the class probabilities' entropy divided by its maximum; top: 1 − the highest class probability; disagreement (needs test-time augmentation): the share of the eight views whose class differs from the averaged class.</source>
        <translation>entropy: la entropía de las probabilidades de clase dividida por su máximo; top: 1 − la mayor probabilidad de clase; disagreement (requiere aumento en predicción): la proporción de las ocho vistas cuya clase difiere de la clase promediada.</translation>
    </message>
    <message>
        <source>Minimum mapping unit (ha)</source>
        <translation>Unidad mínima de mapeo (ha)</translation>
    </message>
    <message>
        <source>Minimum mapping unit in hectares: regions smaller than this (true area on the ellipsoid) are merged into their surroundings; 0 keeps every pixel.</source>
        <translation>Unidad mínima de mapeo en hectáreas: las regiones más pequeñas (área real sobre el elipsoide) se fusionan con su entorno; 0 conserva cada píxel.</translation>
    </message>
    <message>
        <source>Polygons</source>
        <translation>Polígonos</translation>
    </message>
    <message>
        <source>Also write one polygon per region (after the minimum mapping unit) to this GeoPackage, with its class, class name, true area in hectares and mean class probability.</source>
        <translation>Escribe también un polígono por región (tras aplicar la unidad mínima de mapeo) en este GeoPackage, con su clase, el nombre de la clase, el área real en hectáreas y la probabilidad media de la clase.</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precisión</translation>
    </message>
    <message>
        <source>Arithmetic of the model while predicting: bf16 (bfloat16) is faster on CPUs with bfloat16 instructions and on GPUs, with normalisation and the output layer kept in float32.</source>
        <translation>Aritmética del modelo al predecir: bf16 (bfloat16) es más rápida en CPU con instrucciones bfloat16 y en GPU; la normalización y la capa de salida se mantienen en float32.</translation>
    </message>
    <message>
        <source>Replace the class raster, its style, area table and the other outputs if they exist and are of their kind.</source>
        <translation>Reemplaza el ráster de clases, su estilo, la tabla de áreas y las demás salidas si existen y son del tipo esperado.</translation>
    </message>
    <message>
        <source>Class map</source>
        <translation>Mapa de clases</translation>
    </message>
    <message>
        <source>Class raster to assess (from &apos;claro predict&apos; or &apos;claro change&apos;); its classes are the strata.</source>
        <translation>Ráster de clases a evaluar (de 'claro predict' o 'claro change'); sus clases son los estratos.</translation>
    </message>
    <message>
        <source>Sample points</source>
        <translation>Puntos de muestra</translation>
    </message>
    <message>
        <source>Output GeoPackage of points, one at the centre of each sampled pixel, with an empty &apos;reference&apos; field to label; a .qml style is written beside it.</source>
        <translation>GeoPackage de puntos de salida, uno en el centro de cada píxel muestreado, con un campo 'reference' vacío para etiquetar; a su lado se escribe un estilo .qml.</translation>
    </message>
    <message>
        <source>Area of interest: polygons in any vector file and CRS; pixels outside them are never sampled (give the same file to &apos;claro assess&apos;).</source>
        <translation>Área de interés: polígonos en cualquier archivo vectorial y SRC; los píxeles fuera de ellos nunca se muestrean (indique el mismo archivo a 'claro assess').</translation>
    </message>
    <message>
        <source>Sample size</source>
        <translation>Tamaño de muestra</translation>
    </message>
    <message>
        <source>Total number of points; without it the size follows from --target-se.</source>
        <translation>Número total de puntos; sin él, el tamaño se deriva de --target-se.</translation>
    </message>
    <message>
        <source>Target standard error</source>
        <translation>Error estándar objetivo</translation>
    </message>
    <message>
        <source>Standard error of overall accuracy the sample should reach (0.01 gives a 95 % interval of about ±0.02), with the expected user's accuracies, by Cochran's formula n = (Σ Wᵢ·√(Uᵢ(1−Uᵢ)) / SE)²; ignored when --n is given.</source>
        <translation>Error estándar de la exactitud global que debe alcanzar la muestra (0.01 da un intervalo del 95 % de aproximadamente ±0.02), con las exactitudes del usuario esperadas, según la fórmula de Cochran n = (Σ Wᵢ·√(Uᵢ(1−Uᵢ)) / SE)²; se ignora si se indica --n.</translation>
    </message>
    <message>
        <source>Expected user&apos;s accuracies</source>
        <translation>Exactitudes esperadas</translation>
    </message>
    <message>
        <source>Expected user's accuracy of classes, e.g. 'cleared:0.6,forest:0.95' (names or values); a class not listed gets 0.7 when it is a change (from→to with two different classes) and 0.9 otherwise, as Olofsson et al. (2014) suggest.</source>
        <translation>Exactitud del usuario esperada de las clases, p. ej. 'cleared:0.6,forest:0.95' (nombres o valores); una clase no indicada recibe 0.7 si es un cambio (de→a con dos clases distintas) y 0.9 en otro caso, como sugieren Olofsson et al. (2014).</translation>
    </message>
    <message>
        <source>Minimum points per class</source>
        <translation>Puntos mínimos por clase</translation>
    </message>
    <message>
        <source>Every class gets at least this many points and the rest of the sample is shared in proportion to area: a rare class (often the change of interest) would otherwise get a handful of points, too few to estimate its user&apos;s accuracy, and its area estimate would rest on them.</source>
        <translation>Cada clase recibe al menos este número de puntos y el resto de la muestra se reparte en proporción al área: de lo contrario, una clase rara (a menudo el cambio de interés) recibiría apenas unos puntos, demasiado pocos para estimar su exactitud del usuario, y su estimación de área dependería de ellos.</translation>
    </message>
    <message>
        <source>Random seed: the same map, options and seed give the same points.</source>
        <translation>Semilla aleatoria: el mismo mapa, las mismas opciones y la misma semilla dan los mismos puntos.</translation>
    </message>
    <message>
        <source>Replace the sample and its style if Claro made them and no point of it has been labelled yet.</source>
        <translation>Reemplaza la muestra y su estilo si los creó Claro y aún no se ha etiquetado ninguno de sus puntos.</translation>
    </message>
    <message>
        <source>The class raster the sample was drawn from; its classes are the strata.</source>
        <translation>El ráster de clases del que se extrajo la muestra; sus clases son los estratos.</translation>
    </message>
    <message>
        <source>Labelled sample</source>
        <translation>Muestra etiquetada</translation>
    </message>
    <message>
        <source>Point layer (any vector file and CRS) with the reference class of each point, e.g. the GeoPackage from &apos;claro sample&apos; after labelling.</source>
        <translation>Capa de puntos (cualquier archivo vectorial y SRC) con la clase de referencia de cada punto, p. ej. el GeoPackage de 'claro sample' una vez etiquetado.</translation>
    </message>
    <message>
        <source>Reference field</source>
        <translation>Campo de referencia</translation>
    </message>
    <message>
        <source>Field holding each point&apos;s reference class value; empty (NULL) means skipped.</source>
        <translation>Campo con el valor de la clase de referencia de cada punto; vacío (NULL) significa omitido.</translation>
    </message>
    <message>
        <source>Report to write (.json); a CSV table and a PNG summary are written beside it.</source>
        <translation>Informe a escribir (.json); a su lado se escriben una tabla CSV y un resumen PNG.</translation>
    </message>
    <message>
        <source>The area of interest the sample was drawn within (as given to &apos;claro sample&apos;): class areas are counted inside it and points outside it are excluded.</source>
        <translation>El área de interés dentro de la cual se extrajo la muestra (la misma dada a 'claro sample'): las áreas de las clases se cuentan dentro de ella y los puntos fuera de ella se excluyen.</translation>
    </message>
    <message>
        <source>Replace the report, its table and figure if Claro made them.</source>
        <translation>Reemplaza el informe, su tabla y su figura si los creó Claro.</translation>
    </message>
    <message>
        <source>Draw a stratified random sample of points from a class map, to label for an accuracy assessment.</source>
        <translation>Extrae una muestra aleatoria estratificada de puntos de un mapa de clases, para etiquetarla en una evaluación de la exactitud.</translation>
    </message>
    <message>
        <source>Accuracies and class areas with 95 % confidence intervals from a labelled sample (Olofsson et al. 2014).</source>
        <translation>Exactitudes y áreas por clase con intervalos de confianza del 95 % a partir de una muestra etiquetada (Olofsson et al. 2014).</translation>
    </message>
    <message>
        <source>Before (class map)</source>
        <translation>Antes (mapa de clases)</translation>
    </message>
    <message>
        <source>Class raster of the earlier date; the output uses its grid and CRS.</source>
        <translation>Ráster de clases de la fecha anterior; la salida usa su cuadrícula y su SRC.</translation>
    </message>
    <message>
        <source>After (class map)</source>
        <translation>Después (mapa de clases)</translation>
    </message>
    <message>
        <source>Class raster of the later date, with the same classes; aligned onto the before map&apos;s grid (nearest neighbour).</source>
        <translation>Ráster de clases de la fecha posterior, con las mismas clases; se alinea a la cuadrícula del mapa de antes (vecino más próximo).</translation>
    </message>
    <message>
        <source>Change raster</source>
        <translation>Ráster de cambio</translation>
    </message>
    <message>
        <source>Output transition GeoTIFF (one code per from→to pair); its .qml style and the from→to area matrix (NAME_matrix.json and NAME_matrix.csv, in hectares and pixels) are written beside it.</source>
        <translation>GeoTIFF de transiciones de salida (un código por par origen→destino); a su lado se escriben su estilo .qml y la matriz de áreas origen→destino (NOMBRE_matrix.json y NOMBRE_matrix.csv, en hectáreas y píxeles).</translation>
    </message>
    <message>
        <source>From classes</source>
        <translation>Clases de origen</translation>
    </message>
    <message>
        <source>Keep only the changes from these classes (names or values, comma separated), e.g. forest; the other classified pixels get the code &apos;no change of interest&apos; (not nodata, so observed land is told from missing data).</source>
        <translation>Conservar solo los cambios desde estas clases (nombres o valores, separados por comas), p. ej. bosque; los demás píxeles clasificados reciben el código 'sin cambio de interés' (no nodata, para distinguir el terreno observado de los datos que faltan).</translation>
    </message>
    <message>
        <source>To classes</source>
        <translation>Clases de destino</translation>
    </message>
    <message>
        <source>Keep only the changes to these classes (names or values, comma separated), e.g. cleared; a class given in both --from and --to also keeps its unchanged pixels (stable forest).</source>
        <translation>Conservar solo los cambios hacia estas clases (nombres o valores, separados por comas), p. ej. talado; una clase dada en --from y en --to conserva también sus píxeles sin cambio (bosque estable).</translation>
    </message>
    <message>
        <source>Change polygons</source>
        <translation>Polígonos de cambio</translation>
    </message>
    <message>
        <source>Also write the change regions as polygons (GeoPackage) with from, to, true area in hectares and the two dates.</source>
        <translation>Escribir también las regiones de cambio como polígonos (GeoPackage) con clase de origen, clase de destino, área real en hectáreas y las dos fechas.</translation>
    </message>
    <message>
        <source>Before date</source>
        <translation>Fecha de antes</translation>
    </message>
    <message>
        <source>Date of the before map (YYYY-MM-DD); default: the date its file carries (ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).</source>
        <translation>Fecha del mapa de antes (AAAA-MM-DD); por defecto, la fecha que lleva su archivo (metadatos ACQUISITIONDATETIME o TIFFTAG_DATETIME).</translation>
    </message>
    <message>
        <source>After date</source>
        <translation>Fecha de después</translation>
    </message>
    <message>
        <source>Date of the after map (YYYY-MM-DD); default: the date its file carries (ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).</source>
        <translation>Fecha del mapa de después (AAAA-MM-DD); por defecto, la fecha que lleva su archivo (metadatos ACQUISITIONDATETIME o TIFFTAG_DATETIME).</translation>
    </message>
    <message>
        <source>Replace the change raster, its style, matrix files and polygons if they exist and Claro made them.</source>
        <translation>Reemplazar el ráster de cambio, su estilo, los archivos de la matriz y los polígonos si existen y Claro los creó.</translation>
    </message>
    <message>
        <source>Compare two class maps of the same classes: transition raster and from→to hectares.</source>
        <translation>Comparar dos mapas con las mismas clases: ráster de transiciones y hectáreas de origen→destino.</translation>
    </message>
    <message>
        <source>Patch dataset folder made by &apos;claro patches&apos; or &apos;claro describe&apos;, or a folder of Earth Engine TFRecord shards (described first when it has no dataset.json).</source>
        <translation>Carpeta de un conjunto de parches hecho por 'claro patches' o 'claro describe', o una carpeta de fragmentos TFRecord de Earth Engine (se describe primero si no tiene dataset.json).</translation>
    </message>
    <message>
        <source>Label feature</source>
        <translation>Atributo de etiqueta</translation>
    </message>
    <message>
        <source>For a folder of Earth Engine shards without dataset.json: the feature holding the class (default: class, label or landcover, whichever the records have).</source>
        <translation>Para una carpeta de fragmentos de Earth Engine sin dataset.json: el atributo que contiene la clase (predeterminado: class, label o landcover, el que tengan los registros).</translation>
    </message>
    <message>
        <source>Training workers</source>
        <translation>Trabajadores de entrenamiento</translation>
    </message>
    <message>
        <source>Train on several machines: every worker&apos;s host:port, comma separated, the same list on each (default: the TF_CONFIG environment variable, else this machine alone).</source>
        <translation>Entrenar en varias máquinas: el host:puerto de cada trabajador, separados por comas, la misma lista en cada una (predeterminado: la variable de entorno TF_CONFIG; si no, solo esta máquina).</translation>
    </message>
    <message>
        <source>Worker index</source>
        <translation>Índice del trabajador</translation>
    </message>
    <message>
        <source>This machine&apos;s position in --workers, from 0; worker 0 is the chief, the only one that writes the model, its card, history and plots.</source>
        <translation>Posición de esta máquina en --workers, desde 0; el trabajador 0 es el jefe, el único que escribe el modelo, su ficha, el historial y los gráficos.</translation>
    </message>
    <message>
        <source>Band names</source>
        <translation>Nombres de bandas</translation>
    </message>
    <message>
        <source>For an Earth Engine image export (--image EXPORT.json): the features to feed the model, by name, comma separated (default: the model&apos;s band names).</source>
        <translation>Para una exportación de imagen de Earth Engine (--image EXPORT.json): los atributos que recibe el modelo, por nombre, separados por comas (predeterminado: los nombres de bandas del modelo).</translation>
    </message>
    <message>
        <source>Output format</source>
        <translation>Formato de salida</translation>
    </message>
    <message>
        <source>Dask scheduler</source>
        <translation>Planificador Dask</translation>
    </message>
    <message>
        <source>Predict on a Dask cluster: the scheduler&apos;s address (tcp://host:8786), or local:N for N worker processes on this machine; the output folder must be reachable by every worker.</source>
        <translation>Predecir en un clúster Dask: la dirección del planificador (tcp://host:8786), o local:N para N procesos trabajadores en esta máquina; todos los trabajadores deben poder acceder a la carpeta de salida.</translation>
    </message>
    <message>
        <source>Merge blocks</source>
        <translation>Unir bloques</translation>
    </message>
    <message>
        <source>With --dask, merge the workers&apos; blocks into one GeoTIFF (--no-merge keeps the blocks and a VRT over them at the output path&apos;s name with .vrt).</source>
        <translation>Con --dask, unir los bloques de los trabajadores en un solo GeoTIFF (--no-merge conserva los bloques y un VRT sobre ellos con el nombre de la salida y .vrt).</translation>
    </message>
    <message>
        <source>TFRecord folder</source>
        <translation>Carpeta de TFRecords</translation>
    </message>
    <message>
        <source>Folder of TFRecord files (.tfrecord, .tfrecord.gz, .gz; GZIP or not), e.g. an Earth Engine table export of patches.</source>
        <translation>Carpeta de archivos TFRecord (.tfrecord, .tfrecord.gz, .gz; con GZIP o sin él), p. ej. una exportación de tabla de parches de Earth Engine.</translation>
    </message>
    <message>
        <source>Feature holding the class of each pixel (default: class, label or landcover, whichever the records have).</source>
        <translation>Atributo que contiene la clase de cada píxel (predeterminado: class, label o landcover, el que tengan los registros).</translation>
    </message>
    <message>
        <source>Class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos; (default: from the label values found).</source>
        <translation>Nombres y colores de las clases, p. ej. '0:forest:#1a9641,1:cleared:#d7191c' (predeterminado: a partir de los valores de etiqueta encontrados).</translation>
    </message>
    <message>
        <source>How to tell training from validation and test data: names (train*/training*, val*/validation*/eval*, test*/testing* files), shards (whole files dealt out by --fractions) or records (each record by a seeded draw); auto uses names when they say, else shards when there are enough files, else records.</source>
        <translation>Cómo distinguir los datos de entrenamiento, validación y prueba: names (archivos train*/training*, val*/validation*/eval*, test*/testing*), shards (archivos enteros repartidos según --fractions) o records (cada registro por un sorteo con semilla); auto usa los nombres cuando lo indican, si no shards cuando hay archivos suficientes, si no records.</translation>
    </message>
    <message>
        <source>Fractions</source>
        <translation>Fracciones</translation>
    </message>
    <message>
        <source>Fractions for train, validation and test, comma separated, when the split is by shards or records.</source>
        <translation>Fracciones para entrenamiento, validación y prueba, separadas por comas, cuando la división es por shards o records.</translation>
    </message>
    <message>
        <source>Random seed for a split by shards or records.</source>
        <translation>Semilla aleatoria para una división por shards o records.</translation>
    </message>
    <message>
        <source>Image feature</source>
        <translation>Atributo de imagen</translation>
    </message>
    <message>
        <source>For records holding each sample as encoded images: the bytes feature with the image (PNG, JPEG or raw float32); needs --mask-feature and --out.</source>
        <translation>Para registros que guardan cada muestra como imágenes codificadas: el atributo de bytes con la imagen (PNG, JPEG o float32 sin procesar); requiere --mask-feature y --out.</translation>
    </message>
    <message>
        <source>Mask feature</source>
        <translation>Atributo de máscara</translation>
    </message>
    <message>
        <source>For records holding encoded images: the bytes feature with the mask (class values, or a one-hot / probability mask whose argmax is the class).</source>
        <translation>Para registros con imágenes codificadas: el atributo de bytes con la máscara (valores de clase, o una máscara one-hot / de probabilidades cuyo argmax es la clase).</translation>
    </message>
    <message>
        <source>Where to write dataset.json (default: beside the shards); for encoded images, the folder of the Claro patch dataset to write.</source>
        <translation>Dónde escribir dataset.json (predeterminado: junto a los fragmentos); para imágenes codificadas, la carpeta del conjunto de parches de Claro que se escribe.</translation>
    </message>
    <message>
        <source>Replace a dataset.json (or an output dataset) Claro made.</source>
        <translation>Reemplazar un dataset.json (o un conjunto de salida) que hizo Claro.</translation>
    </message>
    <message>
        <source>Exported model</source>
        <translation>Modelo exportado</translation>
    </message>
    <message>
        <source>File to write, e.g. model.onnx.</source>
        <translation>Archivo que se escribe, p. ej. model.onnx.</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Formato</translation>
    </message>
    <message>
        <source>onnx: an ONNX model with the metadata the QGIS plugin Deepness reads (classes, tile size, resolution, standardisation).</source>
        <translation>onnx: un modelo ONNX con los metadatos que lee el complemento de QGIS Deepness (clases, tamaño de tesela, resolución, estandarización).</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Tamaño de tesela</translation>
    </message>
    <message>
        <source>Width and height of the tiles the exported model takes (default: the window &apos;claro predict&apos; would use); a multiple of the U-Net&apos;s down-sampling factor.</source>
        <translation>Ancho y alto de las teselas que recibe el modelo exportado (predeterminado: la ventana que usaría 'claro predict'); un múltiplo del factor de submuestreo de la U-Net.</translation>
    </message>
    <message>
        <source>Replace the exported file if it exists.</source>
        <translation>Reemplazar el archivo exportado si existe.</translation>
    </message>
    <message>
        <source>Describe a folder of TFRecords from another tool (Earth Engine) and write its dataset.json, so Claro trains on it.</source>
        <translation>Describir una carpeta de TFRecords de otra herramienta (Earth Engine) y escribir su dataset.json, para que Claro entrene con ella.</translation>
    </message>
    <message>
        <source>Export a trained model for another runtime: ONNX with the metadata Deepness reads.</source>
        <translation>Exportar un modelo entrenado para otro entorno de ejecución: ONNX con los metadatos que lee Deepness.</translation>
    </message>
    <message>
        <source>Label value meaning &apos;not labelled&apos; (default: none for band records, 255 for encoded-image masks; values not listed in --classes are ignored too).</source>
        <translation>Valor de etiqueta que significa «sin etiquetar» (por defecto: ninguno para registros de bandas, 255 para máscaras de imágenes codificadas; los valores que no figuran en --classes también se ignoran).</translation>
    </message>
    <message>
        <source>Raster to classify; must have the bands the model was trained on. Or the JSON mixer of an Earth Engine image export (TFRecord), its .tfrecord.gz files beside it.</source>
        <translation>Ráster a clasificar; debe tener las bandas con las que se entrenó el modelo. O el JSON «mixer» de una exportación de imagen de Earth Engine (TFRecord), con sus archivos .tfrecord.gz al lado.</translation>
    </message>
    <message>
        <source>geotiff: a class GeoTIFF; tfrecord (Earth Engine image exports only): the classes as TFRecord patches beside a copy of the export&apos;s JSON, ready for &apos;earthengine upload image&apos;: --out names OUT.tfrecord.gz (or OUT.tfrecord) and the copy is OUT.json.</source>
        <translation>geotiff: un GeoTIFF de clases; tfrecord (solo exportaciones de imagen de Earth Engine): las clases como parches TFRecord junto a una copia del JSON de la exportación, listas para 'earthengine upload image': --out nombra OUT.tfrecord.gz (u OUT.tfrecord) y la copia es OUT.json.</translation>
    </message>
    <message>
        <source>Dask block (windows)</source>
        <translation>Bloque de Dask (ventanas)</translation>
    </message>
    <message>
        <source>With --dask, the windows per side of one task&apos;s block: a block recomputes one window per side of its neighbours&apos; (the blend needs it), so larger blocks waste less (1/N per side) and smaller ones spread over more workers.</source>
        <translation>Con --dask, las ventanas por lado del bloque de una tarea: un bloque recalcula una ventana por lado de las de sus vecinos (la mezcla lo necesita), así que los bloques grandes desperdician menos (1/N por lado) y los pequeños se reparten entre más workers.</translation>
    </message>
    <message>
        <source>Features to use as bands, by name, comma separated, in this order (default: every float or int64 feature of k×k values except the label, in natural order: B2, B3, …, B11).</source>
        <translation>Atributos que se usan como bandas, por nombre, separados por comas, en este orden (predeterminado: todos los atributos reales o enteros int64 de k×k valores salvo la etiqueta, en orden natural: B2, B3, …, B11).</translation>
    </message>
</context>
</TS>
